import { defineConfig } from 'vitest/config';

/** Test files whose assertions are timing bands; see the 'timing' project below. */
const timingFiles = [
  'test/integration/load-truth.test.ts',
  'test/integration/open-model.test.ts',
  'test/integration/load-accounting.test.ts',
  'test/integration/chaos-proxy.test.ts',
  'test/integration/reference-service-admission.test.ts',
  'test/integration/reference-service-cache.test.ts',
  'test/integration/reference-service-drain.test.ts',
  'test/integration/tls-h2-load.test.ts',
  'test/integration/ab-runner.test.ts',
  'test/integration/db-contention.test.ts',
  'test/integration/db-sim.test.ts',
  'test/integration/db-outage.test.ts',
  'test/integration/service-telemetry.test.ts',
  'test/e2e/ab-cli.test.ts',
  'test/e2e/capacity-cli.test.ts',
  'test/e2e/chaos-fault-window.test.ts',
  'test/e2e/slo-scoped.test.ts',
  'test/e2e/shards-cli.test.ts',
];

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
          // Real sockets and processes whose assertions are counts, messages, exit codes and
          // loose time bounds: two files at a time (one per core), after the unit tests.
          name: 'sockets',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: timingFiles,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // Files that measure time against a band (latency within milliseconds of a truth, a rate
          // within 1-3% of plan, a statistical verdict, a capacity within 10%): one at a time, last,
          // with the machine to themselves, so they do not starve each other.
          name: 'timing',
          include: timingFiles,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
