import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests spawn the CLI, the service and worker threads from dist/: rebuild it first when stale.
    globalSetup: ['test/setup/build-dist.ts'],
    // Timing-heavy suites share two cores: run files one at a time so they do not starve each other.
    fileParallelism: false,
    // One worker process for every file, in turn: modules are imported once rather than per file
    // (the suite's import overhead went from ~37 s to a few), which keeps `npm test` under its
    // 10-minute budget. Each file still cleans up what it starts in its own hooks.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
