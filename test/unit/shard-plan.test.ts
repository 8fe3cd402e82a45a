import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../protocol/index.js';
import { arrivalSchedule, type SchedulePhase } from '../../src/load/arrival-schedule.js';
import {
  arrivalLane,
  buildPlan,
  scenarioSchema,
  shardPlan,
  shardProblems,
  shareOf,
  type RunPlan,
} from '../../src/scenario/index.js';

function times(phase: SchedulePhase, arrivals: 'uniform' | 'poisson', lane: number, lanes: number): number[] {
  const schedule = arrivalSchedule(phase, { arrivals, random: createRandom(9), lane, lanes });
  const out: number[] = [];
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) out.push(t);
  return out;
}

const closedPlan = (connections: number[]): RunPlan => ({
  model: 'closed',
  workers: 1,
  totalMs: connections.length * 1000,
  phases: connections.map((c, index) => ({
    index,
    name: `p${index}`,
    startMs: index * 1000,
    endMs: (index + 1) * 1000,
    durationMs: 1000,
    connections: c,
  })),
});

describe('shares of a whole split n ways', () => {
  it('sum to the whole and differ by at most one, for any whole and any n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 500 }), (whole, n) => {
        const shares = Array.from({ length: n }, (_, i) => shareOf(whole, n, i));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(whole);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("split every closed phase's connections so that the shards' plans sum to the plan", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        (connections, n) => {
          const plans = Array.from({ length: n }, (_, index) =>
            shardPlan(closedPlan(connections), { index, count: n }),
          );
          connections.forEach((c, p) =>
            expect(plans.reduce((sum, plan) => sum + (plan.phases[p]?.connections ?? 0), 0)).toBe(c),
          );
          expect(plans.every((plan) => plan.totalMs === connections.length * 1000)).toBe(true);
        },
      ),
    );
  });

  it('leave the shards past the connections idle when a phase has fewer connections than shards', () => {
    const shares = [0, 1, 2, 3].map(
      (index) => shardPlan(closedPlan([2]), { index, count: 4 }).phases[0]?.connections,
    );
    expect(shares).toEqual([1, 1, 0, 0]);
  });
});

describe("the open model's arrivals striped by lane", () => {
  const phase = fc.record({
    startMs: fc.integer({ min: 0, max: 5000 }),
    durationMs: fc.integer({ min: 0, max: 3000 }),
    from: fc.double({ min: 0, max: 3000, noNaN: true }),
    to: fc.double({ min: 0, max: 3000, noNaN: true }),
  });

  it.each(['uniform', 'poisson'] as const)(
    '%s: the lanes of every shard and worker together make exactly the whole schedule, each arrival once',
    (arrivals) => {
      fc.assert(
        fc.property(
          phase,
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 3 }),
          ({ startMs, durationMs, from, to }, shards, workers) => {
            const p = { startMs, endMs: startMs + durationMs, rate: { from, to } };
            const whole = times(p, arrivals, 0, 1);
            const union: number[] = [];
            for (let index = 0; index < shards; index++) {
              for (let w = 0; w < workers; w++) {
                const { lane, lanes } = arrivalLane({ index, count: shards }, w, workers);
                union.push(...times(p, arrivals, lane, lanes));
              }
            }
            expect(union.sort((a, b) => a - b)).toEqual(whole);
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('numbers lanes so that no two workers of any two shards share one', () => {
    const seen = new Set<number>();
    for (let index = 0; index < 5; index++)
      for (let w = 0; w < 3; w++) seen.add(arrivalLane({ index, count: 5 }, w, 3).lane);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, k) => k));
  });
});

describe('shardPlan', () => {
  const scenario = scenarioSchema.parse({
    name: 'x',
    load: {
      model: 'open',
      maxInFlight: 2,
      phases: [{ duration: 2, rate: 100 }],
      requests: [{ path: '/' }],
    },
  });

  it('keeps the whole rate, records the shard, and never bounds a shard to 0 requests in flight', () => {
    const plans = [0, 1, 2].map((index) => shardPlan(buildPlan(scenario), { index, count: 3 }));
    expect(plans.map((p) => p.phases[0]?.rate)).toEqual(Array(3).fill({ from: 100, to: 100 }));
    expect(plans.map((p) => p.shard)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
    expect(plans.map((p) => p.open?.maxInFlight)).toEqual([1, 1, 1]);
  });

  it.each([
    [{ index: 4, count: 4 }, 'from 0 to 3'],
    [{ index: -1, count: 4 }, 'from 0 to 3'],
    [{ index: 0, count: 0 }, 'from 1 to'],
    [{ index: 0.5, count: 2 }, 'from 0 to 1'],
  ])('refuses %o, saying what it expected', (shard, expected) => {
    expect(shardProblems(shard).join()).toContain(expected);
  });
});
