/**
 * The load's start line: runLoad starts its worker threads first and chooses time zero only once
 * every one says it is ready, so a slow start (a busy host, a cold module cache) never makes the
 * first requests late. Real sockets on loopback, the compiled workers from dist/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadAggregate, runLoad, START_LEAD_MS, type LoadOptions } from '../../src/load/index.js';
import { summarizeLatencyMs } from '../../src/metrics/index.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** A target that answers at once and counts what it received. */
async function countingTarget(): Promise<{ url: string; count: () => number }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.end('ok');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => count };
}

/** runLoad's options for 2 s of the open model at 200/s from 2 workers against `url`. */
function openLoad(url: string, overrides: Partial<LoadOptions>): LoadOptions {
  const scenario = scenarioSchema.parse({
    name: 'start-line',
    load: {
      model: 'open',
      workers: 2,
      phases: [{ duration: 2, rate: 200 }],
      requests: [{ path: '/' }],
    },
  });
  return {
    plan: buildPlan(scenario),
    requests: scenario.load.requests,
    targetUrl: url,
    seed: 1,
    timeoutMs: scenario.load.timeout,
    startEpochMs: Date.now(),
    signal: new AbortController().signal,
    aggregate: new LoadAggregate(),
    ...overrides,
  };
}

describe('the load start line', () => {
  it('moves a time zero that passed while the workers started to after they are ready: no request starts late', async () => {
    const target = await countingTarget();
    const before = Date.now();
    // A zero 3 s in the past: with workers started on it, 600 requests would be due at once.
    const options = openLoad(target.url, { startEpochMs: before - 3000 });
    const outcome = await runLoad(options);
    expect(outcome.startEpochMs).toBeGreaterThanOrEqual(before + START_LEAD_MS);
    expect(outcome.sent).toBe(400);
    expect(target.count()).toBe(400);
    // Sends on time: the scheduling lag's p99 is milliseconds, not the seconds the zero had passed.
    expect(summarizeLatencyMs(outcome.lag).p99).toBeLessThan(500);
  });

  it('asks zeroAt for the zero once the workers are ready, and starts them on what it answers', async () => {
    const target = await countingTarget();
    const asked: number[] = [];
    const before = Date.now();
    const outcome = await runLoad(
      openLoad(target.url, {
        zeroAt: (ready) => {
          asked.push(ready);
          return ready + 700;
        },
      }),
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThanOrEqual(before);
    expect(outcome.startEpochMs).toBe((asked[0] as number) + 700);
    expect(target.count()).toBe(400);
    expect(summarizeLatencyMs(outcome.lag).p99).toBeLessThan(500);
  });

  it('stops the workers without sending anything when zeroAt fails, and rejects with its error', async () => {
    const target = await countingTarget();
    const refused = new Error('the start line was cancelled');
    await expect(runLoad(openLoad(target.url, { zeroAt: () => Promise.reject(refused) }))).rejects.toBe(
      refused,
    );
    expect(target.count()).toBe(0);
  });

  it('sends nothing when stopped before the workers were started, and reports zero counts', async () => {
    const target = await countingTarget();
    const abort = new AbortController();
    abort.abort();
    const outcome = await runLoad(openLoad(target.url, { signal: abort.signal }));
    expect(outcome.stoppedEarly).toBe(true);
    expect(outcome).toMatchObject({ sent: 0, responses: 0, dropped: 0 });
    expect(target.count()).toBe(0);
  });
});
