import { describe, expect, it } from 'vitest';
import { thinkTimeSampler } from '../../src/load/think-time.js';
import { createRandom } from '../../protocol/random.js';

function draws(sampler: (() => number) | undefined, n = 20_000): number[] {
  if (sampler === undefined) throw new Error('expected a sampler');
  return Array.from({ length: n }, sampler);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('thinkTimeSampler', () => {
  it('has no think time when none or zero is given', () => {
    expect(thinkTimeSampler(undefined, createRandom(1))).toBeUndefined();
    expect(thinkTimeSampler({ dist: 'constant', ms: 0 }, createRandom(1))).toBeUndefined();
  });

  it('waits a fixed time', () => {
    expect(new Set(draws(thinkTimeSampler({ dist: 'constant', ms: 100 }, createRandom(1)), 10))).toEqual(
      new Set([100]),
    );
  });

  it('draws uniformly between min and max', () => {
    const xs = draws(thinkTimeSampler({ dist: 'uniform', minMs: 50, maxMs: 150 }, createRandom(2)));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...xs)).toBeLessThan(150);
    expect(mean(xs)).toBeCloseTo(100, 0);
  });

  it('draws exponentially around the mean, the same for the same seed', () => {
    const xs = draws(thinkTimeSampler({ dist: 'exponential', meanMs: 100 }, createRandom(3)));
    expect(Math.abs(mean(xs) - 100)).toBeLessThan(3);
    expect(xs).toEqual(draws(thinkTimeSampler({ dist: 'exponential', meanMs: 100 }, createRandom(3))));
  });
});
