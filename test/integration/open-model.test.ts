/**
 * The open model over real sockets: targets of known behaviour on loopback, driven through
 * runLoad (worker threads, the compiled engine in dist/). Timing-heavy, so serial.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadAggregate, runLoad, type LoadOutcome } from '../../src/load/index.js';
import { summarizeLatencyMs } from '../../src/metrics/index.js';
import type { LatencySummary } from '../../src/results/types.js';
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

/** Starts a node:http target on port 0; `handle` answers (or not). */
async function target(handle: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface OpenRun extends LoadOutcome {
  latency: LatencySummary;
  service: LatencySummary;
  responses: number;
  aggregate: LoadAggregate;
}

async function runOpen(
  url: string,
  load: { rate: number; durationS: number; maxInFlight?: number; warmupS?: number },
): Promise<OpenRun> {
  const scenario = scenarioSchema.parse({
    name: 'open-test',
    load: {
      model: 'open',
      phases: [
        ...(load.warmupS === undefined ? [] : [{ name: 'warmup', duration: load.warmupS, rate: load.rate }]),
        { name: 'measured', duration: load.durationS, rate: load.rate },
      ],
      maxInFlight: load.maxInFlight ?? 1000,
      requests: [{ path: '/' }],
    },
  });
  const aggregate = new LoadAggregate();
  const outcome = await runLoad({
    plan: buildPlan(scenario),
    requests: scenario.load.requests,
    targetUrl: url,
    seed: 1,
    timeoutMs: scenario.load.timeout,
    startEpochMs: Date.now() + 500,
    signal: new AbortController().signal,
    aggregate,
  });
  return {
    ...outcome,
    aggregate,
    responses: aggregate.requests,
    latency: summarizeLatencyMs(aggregate.total),
    service: aggregate.serviceTotal
      ? summarizeLatencyMs(aggregate.serviceTotal)
      : summarizeLatencyMs(aggregate.total),
  };
}

/** Blocks the event loop for `ms` (a stalled target). */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe.sequential('the open model', () => {
  // With room in flight the engine sends on time, so a request sent into the stall waits in it
  // and its service time is as long as its latency. Here at most 3 are in flight: the rest are
  // held by the engine and sent once the target answers again, so only their latency (from
  // the due time) carries the stall, as a closed-loop tool would hide it.
  it('sees a target’s event-loop stall in the latency from the due time, not in the service time', async () => {
    let lastStall = performance.now();
    const url = await target((_req, res) => {
      if (performance.now() - lastStall >= 1000) {
        busyWait(300);
        lastStall = performance.now();
      }
      res.end('ok');
    });
    const run = await runOpen(url, { rate: 300, durationS: 3, maxInFlight: 3 });
    expect(run.latency.p99).toBeGreaterThanOrEqual(150);
    expect(run.service.p99).toBeLessThan(run.latency.p99 / 2);
    expect(run.dropped).toBe(0);
  });

  it('counts requests due beyond maxInFlight as dropped when their phase ends, never losing any', async () => {
    const url = await target(() => {
      // never answers
    });
    const run = await runOpen(url, { rate: 200, durationS: 2, maxInFlight: 20 });
    expect(run.sent).toBe(20);
    expect(run.planned).toBe(400);
    expect(run.sent + run.dropped).toBe(run.planned);
    expect(run.completed).toBe(0);
    // The workers' one-second windows carry the drops too (the progress line reads them live).
    expect(run.aggregate.dropped).toBe(run.dropped);
  });

  it('keeps the achieved rate within 3% of the plan over a 3 s phase at 500 requests/s', async () => {
    const url = await target((_req, res) => res.end('ok'));
    const run = await runOpen(url, { rate: 500, durationS: 3 });
    expect(run.planned).toBe(1500);
    expect(run.sent / run.planned).toBeGreaterThan(0.97);
    expect(run.dropped).toBe(0);
    // Responses counted per second of the run's clock follow the target's latency too, so on a
    // shared machine each is only checked to within 10% of 500.
    const perSecond = run.aggregate.seconds().map((s) => s.requests);
    expect(perSecond).toHaveLength(3);
    for (const n of perSecond) expect(Math.abs(n - 500)).toBeLessThanOrEqual(50);
  });
});
