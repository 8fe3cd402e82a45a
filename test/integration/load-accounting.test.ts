/**
 * Every request the engines send is accounted for exactly once: answered (any status), failed
 * without an answer, or still unanswered when the load stopped waiting, in both models, with
 * 5xx answers and with many connections. Driven through runLoad (worker threads, the compiled
 * engines in dist/) against targets in their own processes, over loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LoadAggregate, runLoad, type LoadOutcome } from '../../src/load/index.js';
import { buildPlan, scenarioSchema, type ScenarioInput } from '../../src/scenario/index.js';
import { startLoadTarget, type LoadTarget, type TargetBehaviour } from '../helpers/load-target.js';

const targets: LoadTarget[] = [];

afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

async function target(behaviour: TargetBehaviour): Promise<LoadTarget> {
  const t = await startLoadTarget(behaviour);
  targets.push(t);
  return t;
}

async function run(
  url: string,
  load: ScenarioInput['load'],
  signal = new AbortController().signal,
): Promise<LoadOutcome & { aggregate: LoadAggregate }> {
  const scenario = scenarioSchema.parse({ name: 'accounting', load });
  const aggregate = new LoadAggregate();
  const outcome = await runLoad({
    plan: buildPlan(scenario),
    requests: scenario.load.requests,
    targetUrl: url,
    seed: 3,
    timeoutMs: scenario.load.timeout,
    startEpochMs: Date.now() + 500,
    signal,
    aggregate,
  });
  return { ...outcome, aggregate };
}

/** The invariant, and that the windows the orchestrator merged say the same as the engines' totals. */
function expectAccountedFor(r: LoadOutcome & { aggregate: LoadAggregate }): void {
  expect(r.sent).toBe(r.responses + r.transportErrors + r.unanswered);
  expect(r.completed).toBe(r.responses + r.transportErrors);
  expect(r.aggregate.requests).toBe(r.responses);
  expect(r.aggregate.unanswered).toBe(r.unanswered);
  expect(r.aggregate.errorsByKind.unanswered ?? 0).toBe(r.unanswered);
  const transport = ['timeout', 'reset', 'refused', 'other'].reduce(
    (n, k) => n + (r.aggregate.errorsByKind[k] ?? 0),
    0,
  );
  expect(transport).toBe(r.transportErrors);
  // Answered and unanswered requests are both in the latency histogram, once each.
  expect(r.aggregate.total.totalCount).toBe(r.responses + r.unanswered);
}

describe.sequential('sent = responses + transport errors + unanswered', () => {
  for (const connections of [1000, 3000]) {
    it(`holds in the closed model with ${connections} connections answered 503`, async () => {
      const t = await target({ kind: 'status', status: 503 });
      const r = await run(t.url, {
        model: 'closed',
        timeout: '20s',
        phases: [{ duration: 2, connections }],
        requests: [{ path: '/' }],
      });
      expectAccountedFor(r);
      // Every answer was a 5xx: each counted once, as a response with an error status. (On a
      // busy host a target may not answer 3,000 new connections in time: those are unanswered.)
      expect(r.aggregate.errorsByKind['5xx'] ?? 0).toBe(r.responses);
      // The target answered every response counted, and received no request that was not sent.
      await expect.poll(() => t.count(), { timeout: 5000 }).toBeGreaterThanOrEqual(r.responses);
      expect(await t.count()).toBeLessThanOrEqual(r.sent);
    }, 60_000);
  }

  it('holds in the open model with 503 answers', async () => {
    const t = await target({ kind: 'status', status: 503 });
    const r = await run(t.url, {
      model: 'open',
      phases: [{ duration: 2, rate: 500 }],
      requests: [{ path: '/' }],
    });
    expectAccountedFor(r);
    expect(r.sent + r.dropped).toBe(r.planned);
    expect(r.responses).toBeGreaterThan(0);
    expect(r.aggregate.errorsByKind['5xx']).toBe(r.responses);
  }, 60_000);

  it('counts each connection’s hung request as unanswered in the closed model, one by one', async () => {
    const t = await target({ kind: 'stops-after', answered: 20, path: '/' });
    // Few answers and 5 s to get them: a busy host can start the load worker seconds late.
    const r = await run(t.url, {
      model: 'closed',
      timeout: '30s',
      phases: [{ duration: 5, connections: 10 }],
      requests: [{ path: '/' }],
    });
    expectAccountedFor(r);
    expect(r.responses).toBe(20);
    expect(r.unanswered).toBe(10);
    await expect.poll(() => t.count(), { timeout: 5000 }).toBe(r.sent);
  }, 60_000);

  it('counts the requests in flight as unanswered in the open model, when the target stops answering', async () => {
    const t = await target({ kind: 'stops-after', answered: 50, path: '/' });
    const r = await run(t.url, {
      model: 'open',
      timeout: '30s',
      phases: [{ duration: 2, rate: 100 }],
      requests: [{ path: '/' }],
    });
    expectAccountedFor(r);
    expect(r.sent).toBe(200);
    expect(r.responses).toBe(50);
    expect(r.unanswered).toBe(150);
    // The seconds after the target went silent are points too.
    expect(r.aggregate.seconds(1).map((s) => s.t)).toEqual([0, 1]);
  }, 60_000);

  it('counts the requests in flight when the load is stopped early as unanswered, in both models', async () => {
    const loads: ScenarioInput['load'][] = [
      {
        model: 'closed',
        timeout: '30s',
        phases: [{ duration: 30, connections: 6 }],
        requests: [{ path: '/' }],
      },
      { model: 'open', timeout: '30s', phases: [{ duration: 30, rate: 50 }], requests: [{ path: '/' }] },
    ];
    for (const load of loads) {
      const t = await target({ kind: 'stops-after', answered: 12, path: '/' });
      const stop = new AbortController();
      const running = run(t.url, load, stop.signal);
      // Answered 12, then hung: 6 connections' requests, or 8 of the open model's arrivals.
      const hung = load.model === 'closed' ? 6 : 8;
      await expect.poll(() => t.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(12 + hung);
      stop.abort();
      const r = await running;
      expectAccountedFor(r);
      expect(r.stoppedEarly).toBe(true);
      expect(r.responses).toBe(12);
      expect(r.unanswered).toBeGreaterThanOrEqual(hung);
    }
  }, 90_000);

  it('lets the connections a smaller phase no longer needs finish their requests rather than abandon them', async () => {
    const t = await target({ kind: 'delay', ms: 50 });
    const r = await run(t.url, {
      model: 'closed',
      phases: [
        { name: 'wide', duration: 1, connections: 16 },
        { name: 'narrow', duration: 1, connections: 2 },
      ],
      requests: [{ path: '/' }],
    });
    expectAccountedFor(r);
    // 50 ms answers and a 1 s drain: nothing is left unanswered, nothing failed.
    expect(r.unanswered).toBe(0);
    expect(r.transportErrors).toBe(0);
    await expect.poll(() => t.count(), { timeout: 5000 }).toBe(r.responses);
  }, 60_000);
});
