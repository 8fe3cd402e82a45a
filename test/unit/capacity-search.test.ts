import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCapacityStep, type CapacityOutcome, type CapacityStep } from '../../src/experiments/index.js';

/** Runs the controller against a service that holds its SLO up to `capacity` requests/s. */
function search(
  capacity: number,
  options: Parameters<typeof nextCapacityStep>[1],
  generatorMax = Infinity,
): { outcome: CapacityOutcome; steps: CapacityStep[] } {
  const steps: CapacityStep[] = [];
  for (;;) {
    const decision = nextCapacityStep(steps, options);
    if ('done' in decision) return { outcome: decision.done, steps };
    const rate = decision.next;
    steps.push({
      rate,
      held: rate <= capacity,
      ...(rate > generatorMax ? { generatorLimit: `sent 90% of ${rate}/s` } : {}),
    });
  }
}

describe('the capacity search step controller', () => {
  it('grows geometrically, then bisects to within 5% below the capacity', () => {
    const { outcome, steps } = search(1000, { startRate: 100 });
    expect(steps.slice(0, 5).map((s) => s.rate)).toEqual([100, 200, 400, 800, 1600]);
    expect(outcome.kind).toBe('capacity');
    if (outcome.kind !== 'capacity') return;
    expect(outcome.capacity).toBeLessThanOrEqual(1000);
    expect(outcome.capacity).toBeGreaterThanOrEqual(1000 / 1.05);
    expect(outcome.missedAt).toBeGreaterThan(1000);
    expect(steps.length).toBeLessThanOrEqual(12);
  });

  it('finds any capacity to the set precision, from any start, in a bounded number of steps', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 200_000, noNaN: true }),
        fc.double({ min: 1, max: 5_000, noNaN: true }),
        fc.constantFrom(0.02, 0.05, 0.1),
        (capacity, startRate, precision) => {
          const { outcome } = search(capacity, { startRate, precision, maxSteps: 60 });
          expect(outcome.kind).toBe('capacity');
          if (outcome.kind !== 'capacity') return;
          expect(outcome.capacity).toBeLessThanOrEqual(capacity);
          expect(outcome.capacity * (1 + precision)).toBeGreaterThanOrEqual(capacity * 0.999999);
        },
      ),
    );
  });

  it('calls a step the generator could not drive a generator limit, never a capacity', () => {
    const { outcome } = search(5000, { startRate: 100 }, 1000);
    expect(outcome).toEqual({
      kind: 'generator-limit',
      rate: 1600,
      reason: 'sent 90% of 1600/s',
      highestHeld: 800,
    });
  });

  it('shrinks when the first step misses, and says when nothing held', () => {
    expect(search(30, { startRate: 100 }).outcome.kind).toBe('capacity');
    expect(search(0.5, { startRate: 8, minRate: 1 }).outcome).toEqual({ kind: 'never-held', lowestTried: 1 });
  });

  it('stops at the ceiling when the SLO holds all the way', () => {
    expect(search(Infinity, { startRate: 100, maxRate: 1000 }).outcome).toEqual({
      kind: 'held-to-max',
      maxRate: 1000,
    });
  });

  it('reports the bracket it had when the step budget runs out', () => {
    const { outcome, steps } = search(1000, { startRate: 100, maxSteps: 6 });
    expect(steps).toHaveLength(6);
    expect(outcome).toEqual({ kind: 'step-budget', highestHeld: 800, lowestMissed: 1200 });
  });

  it('bisects below the lowest miss when a higher rate held by noise', () => {
    const steps: CapacityStep[] = [
      { rate: 100, held: true },
      { rate: 200, held: false },
      { rate: 150, held: true },
      { rate: 300, held: true },
    ];
    expect(nextCapacityStep(steps, { startRate: 100 })).toEqual({ next: 175 });
  });
});
