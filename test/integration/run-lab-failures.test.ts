/**
 * A failure part-way through a run keeps what was measured: the lab returns the result so far,
 * marked with the failure and its code, and stops everything it started.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { runLab } from '../../src/lab/index.js';
import { planRun, scenarioSchema } from '../../src/scenario/index.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let target: LoadTarget | undefined;
const unsubscribers: (() => void)[] = [];
afterEach(async () => {
  for (const off of unsubscribers.splice(0)) off();
  await target?.close();
  target = undefined;
});

const environment = {
  loadlabVersion: 'test',
  node: process.version,
  os: 'test',
  cpuModel: 'test',
  cpus: 1,
  hostname: 'test',
};

/** Calls `onWorker` with every worker thread this process starts from now on. */
function watchWorkers(onWorker: (worker: Worker) => void): void {
  const listener = (message: unknown) => onWorker((message as { worker: Worker }).worker);
  diagnostics.subscribe('worker_threads', listener);
  unsubscribers.push(() => diagnostics.unsubscribe('worker_threads', listener));
}

describe('runLab when a load worker dies mid-run', () => {
  it('returns the result measured so far, marked LOAD_FAILED, and stops the other workers early', async () => {
    target = await startLoadTarget({ kind: 'delay', ms: 2 });
    const scenario = scenarioSchema.parse({
      name: 'worker-dies',
      load: {
        model: 'closed',
        workers: 2,
        phases: [{ name: 'main', duration: '20s', connections: 4 }],
        requests: [{ path: '/' }],
      },
    });
    const workers: Worker[] = [];
    watchWorkers((w) => workers.push(w));
    let requestsSoFar = 0;
    const running = runLab(planRun(scenario, { target: target.url, scenarioDir: process.cwd() }), {
      runtime: { execPath: process.execPath, env: { ...process.env } },
      environment,
      signal: new AbortController().signal,
      onEvent: (e) => {
        if (e.type === 'progress') requestsSoFar = e.requests;
      },
    });
    // Kill a worker once the load is well under way: both have measured something by then.
    await expect.poll(() => requestsSoFar, { timeout: 15_000 }).toBeGreaterThan(200);
    expect(workers).toHaveLength(2);
    const killedAt = performance.now();
    await workers[1]?.terminate();
    const outcome = await running;
    const stoppedAfterMs = performance.now() - killedAt;

    expect(outcome.failure?.code).toBe('LOAD_FAILED');
    expect(outcome.failure?.message).toContain('load worker 1 exited');
    expect(outcome.result.failure).toEqual({ code: 'LOAD_FAILED', message: outcome.failure?.message });
    expect(outcome.result.abortReason).toBe(outcome.failure?.message);
    expect(outcome.result.interrupted).toBe(false);
    // What both workers measured before the kill is there, and the run stopped long before 20 s.
    expect(outcome.result.summary.requests).toBeGreaterThanOrEqual(requestsSoFar);
    expect(outcome.result.series.length).toBeGreaterThanOrEqual(1);
    expect(outcome.result.summary.durationS).toBeLessThan(15);
    expect(stoppedAfterMs).toBeLessThan(5000);
    expect(outcome.latencyLog).toBeDefined();
  });
});
