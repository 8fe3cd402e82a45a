import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests spawn the CLI, the service and worker threads from dist/: rebuild it first when stale.
    globalSetup: ['test/setup/build-dist.ts'],
    // Timing-heavy suites share two cores: run files one at a time so they do not starve each other.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
