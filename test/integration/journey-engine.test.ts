/**
 * The journey engine over real loopback sockets, through runLoad (worker threads, dist/): a
 * target that answers one step's route after a 100 ms stall and the others at once. Only that
 * step's latency rises; in the open model it is timed from its due time (the previous answer plus
 * the think time), at or above its time from the send, as the single-request engine's is.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadAggregate, runLoad, type LoadOutcome } from '../../src/load/index.js';
import { buildPlan, scenarioSchema, type ScenarioInput } from '../../src/scenario/index.js';
import { summarizeLatencyMs } from '../../src/metrics/index.js';

const stallMs = 100;
let server: Server;
let url = '';
const counts = { a: 0, slow: 0, c: 0, empty: 0 };

beforeAll(async () => {
  let next = 0;
  server = createServer((req, res) => {
    const path = req.url ?? '';
    const reply = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (path === '/a') {
      counts.a++;
      reply({ id: ++next });
      return;
    }
    const m = /^\/(slow|c)\/(.*)$/.exec(path);
    if (m === null || m[2] === '') {
      counts.empty++;
      res.writeHead(404).end();
      return;
    }
    if (m[1] === 'slow') {
      counts.slow++;
      setTimeout(() => reply({ id: Number(m[2]) }), stallMs);
    } else {
      counts.c++;
      reply({ ok: true });
    }
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const flows = [
  {
    name: 'f',
    steps: [
      { name: 'a', path: '/a', capture: { id: '$.id' }, think: '5ms' },
      { name: 'slow', path: '/slow/{{vars.id}}', check: [{ json: '$.id', equals: '{{vars.id}}' }] },
      { name: 'c', path: '/c/{{vars.id}}' },
    ],
  },
];

async function run(load: Record<string, unknown>): Promise<LoadOutcome> {
  const scenario = scenarioSchema.parse({
    name: 'journeys',
    load: { ...load, flows } as ScenarioInput['load'],
  });
  return runLoad({
    plan: buildPlan(scenario),
    requests: scenario.load.requests,
    ...(scenario.load.flows === undefined ? {} : { flows: scenario.load.flows }),
    targetUrl: url,
    seed: 3,
    timeoutMs: scenario.load.timeout,
    startEpochMs: Date.now() + 1000,
    signal: new AbortController().signal,
    aggregate: new LoadAggregate(),
  });
}

describe.sequential('the journey engine', () => {
  it.each([
    ['closed', { model: 'closed', phases: [{ duration: 1, connections: 4 }] }],
    ['open', { model: 'open', phases: [{ duration: 1.5, rate: 40 }] }],
  ])(
    '%s model: only the stalled step is slow, every step counts what the target counted, no step sent with an empty variable',
    async (model, load) => {
      const before = { ...counts };
      const outcome = await run(load);
      const j = outcome.journeys;
      expect(j).toBeDefined();
      if (j === undefined) return;
      const [a, slow, c] = j.steps.map((s) => summarizeLatencyMs(s.total));
      expect(slow?.p50).toBeGreaterThanOrEqual(stallMs);
      expect(a?.p50).toBeLessThan(stallMs);
      expect(c?.p50).toBeLessThan(stallMs);
      // The target's own counts agree with each step's answers; nothing went out with an empty id.
      expect(counts.empty - before.empty).toBe(0);
      const answered = j.totals.map((t) => t.responses);
      expect([counts.a - before.a, counts.slow - before.slow, counts.c - before.c]).toEqual(
        answered.map((n, i) => n + (j.totals[i]?.unanswered ?? 0)),
      );
      expect(j.totals[0]?.responses).toBeGreaterThan(10);
      expect(j.totals[1]?.checks).toEqual([[j.totals[1]?.responses, 0]]);
      const flow = j.flows[0];
      expect(flow && flow.started).toBe(
        (flow?.completed ?? 0) + (flow?.failed ?? 0) + (flow?.unfinished ?? 0),
      );
      expect(flow?.failed).toBe(0);
      // A journey lasts at least its think time and the stall.
      expect(summarizeLatencyMs(flow?.durations ?? j.steps[0]!.total).p50).toBeGreaterThanOrEqual(
        stallMs + 5,
      );
      if (model === 'open') {
        const service = j.steps[1]?.serviceTotal;
        expect(service).toBeDefined();
        const fromSend = summarizeLatencyMs(service!);
        for (const q of ['p50', 'p90', 'p99', 'max'] as const)
          expect(slow?.[q]).toBeGreaterThanOrEqual(fromSend[q]);
        expect(outcome.planned).toBe(60);
        expect(outcome.dropped).toBe(0);
      }
    },
  );
});
