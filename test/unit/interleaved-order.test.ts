import { describe, expect, it } from 'vitest';
import { createRandom } from '../../protocol/index.js';
import { interleavedOrder } from '../../src/experiments/index.js';

describe('randomized multiple interleaved trials', () => {
  it('runs every variant once per round, numbered by round', () => {
    const trials = interleavedOrder(['a', 'b', 'c'], 4, createRandom(7));
    expect(trials).toHaveLength(12);
    for (let round = 1; round <= 4; round++) {
      const inRound = trials.filter((t) => t.round === round);
      expect(inRound.map((t) => t.variant).sort()).toEqual(['a', 'b', 'c']);
      expect(inRound.every((t) => t.repeat === round)).toBe(true);
    }
  });

  it('gives the same order for the same seed and another for another seed', () => {
    const order = (seed: number) =>
      interleavedOrder(['a', 'b'], 20, createRandom(seed))
        .map((t) => t.variant)
        .join('');
    expect(order(1)).toBe(order(1));
    expect(order(1)).not.toBe(order(2));
  });

  it('puts each variant first in about half the rounds', () => {
    const trials = interleavedOrder(['a', 'b'], 400, createRandom(42));
    const aFirst = trials.filter((t, i) => i % 2 === 0 && t.variant === 'a').length;
    expect(aFirst).toBeGreaterThan(160);
    expect(aFirst).toBeLessThan(240);
  });
});
