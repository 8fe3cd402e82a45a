/**
 * The A/B runner over real sockets: two targets of known latency (4 ms and 8 ms, each in its own
 * process), driven in a duet (both at once, one time zero, one seed) and interleaved (one after
 * the other, in a seeded order). Runs the compiled load workers (dist/).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../protocol/index.js';
import { runAb } from '../../src/experiments/index.js';
import type { LabOutcome } from '../../src/lab/index.js';
import { planRun, scenarioSchema } from '../../src/scenario/index.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

const targets: LoadTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

const environment = {
  loadlabVersion: 'test',
  node: process.version,
  os: 'test',
  cpuModel: 'test',
  cpus: 1,
  hostname: 'test',
};
const scenario = scenarioSchema.parse({
  name: 'ab-runner',
  seed: 11,
  load: {
    model: 'open',
    timeout: '5s',
    phases: [{ name: 'steady', duration: '2s', rate: 100 }],
    requests: [{ path: '/load' }],
  },
});

async function plans(): Promise<{
  a: ReturnType<typeof planRun>;
  b: ReturnType<typeof planRun>;
  a4: LoadTarget;
  b8: LoadTarget;
}> {
  const a4 = await startLoadTarget({ kind: 'delay', ms: 4 });
  const b8 = await startLoadTarget({ kind: 'delay', ms: 8 });
  targets.push(a4, b8);
  return {
    a: planRun(scenario, { target: a4.url, scenarioDir: process.cwd() }),
    b: planRun(scenario, { target: b8.url, scenarioDir: process.cwd() }),
    a4,
    b8,
  };
}

describe('the A/B runner', () => {
  it('runs a duet: both variants load from one time zero, with the same schedule, each counted by its target', async () => {
    const { a, b, a4, b8 } = await plans();
    const order: string[] = [];
    const started: string[] = [];
    const outcome = await runAb({
      plans: { a, b },
      mode: 'duet',
      repeats: 2,
      // The order each repeat starts its two labs in.
      onEvent: (event) => {
        if (event.type === 'trial') started.push(`trial ${event.repeat}: ${event.sides.join(' ')}`);
      },
      random: createRandom(1),
      handles: {
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment,
        signal: new AbortController().signal,
      },
      onRun: async (side, repeat) => {
        order.push(`${side}${repeat}`);
      },
    });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.runs.a).toHaveLength(2);
    expect(outcome.runs.b).toHaveLength(2);
    // Runs are handed on A before B, while the labs start in turn: A first, then B first.
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(started).toEqual(['trial 1: a b', 'trial 2: b a']);
    for (let r = 0; r < 2; r++) {
      const ra = (outcome.runs.a[r] as LabOutcome).result;
      const rb = (outcome.runs.b[r] as LabOutcome).result;
      // One time zero: the load started at the same instant for both.
      expect(ra.startedAt).toBe(rb.startedAt);
      // One seed, one schedule: the same arrivals were due on both sides.
      expect(ra.summary.generator?.sendRatePlanned).toBe(rb.summary.generator?.sendRatePlanned);
      expect(ra.summary.sent).toBe(rb.summary.sent);
      expect(rb.summary.latencyMs.p50).toBeGreaterThan(ra.summary.latencyMs.p50 + 2);
    }
    const sentA = outcome.runs.a.reduce((n, o) => n + o.result.summary.sent, 0);
    const sentB = outcome.runs.b.reduce((n, o) => n + o.result.summary.sent, 0);
    // Each target counted, on the load's path, exactly what its side sent.
    expect(await a4.countOf('/load')).toBe(sentA);
    expect(await b8.countOf('/load')).toBe(sentB);
  }, 60_000);

  it('stops at a variant that cannot start, without leaving the other waiting at the start line', async () => {
    const a4 = await startLoadTarget({ kind: 'delay', ms: 4 });
    targets.push(a4);
    const a = planRun(scenario, { target: a4.url, scenarioDir: process.cwd() });
    const b = planRun(scenario, { target: 'http://127.0.0.1:9', scenarioDir: process.cwd() });
    const outcome = await runAb({
      plans: { a, b },
      mode: 'duet',
      repeats: 3,
      random: createRandom(1),
      handles: {
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment,
        signal: new AbortController().signal,
      },
      onRun: async () => {},
    });
    expect(outcome.failure?.code).toBe('TARGET_UNREACHABLE');
    expect(outcome.runs.b).toHaveLength(0);
    expect(outcome.runs.a.length).toBeLessThanOrEqual(1);
  }, 30_000);
});
