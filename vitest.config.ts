import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests spawn the CLI, the service and worker threads from dist/: rebuild it first when stale.
    globalSetup: ['test/setup/build-dist.ts'],
    // One worker process for every file of a project, in turn: modules are imported once rather
    // than per file (the suite's import overhead went from ~37 s to a few), which keeps `npm test`
    // under its 10-minute budget. Each file still cleans up what it starts in its own hooks.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          // Pure tests (no sockets, no child processes, no timing bands): two files at a time, one
          // per core, before anything that measures time starts.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // Timing-heavy suites share two cores: their files run one at a time, after the unit
          // tests, so they do not starve each other.
          name: 'sockets',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
