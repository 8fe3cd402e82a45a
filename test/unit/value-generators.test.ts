import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createValueGenerator,
  valueGeneratorNames,
  zipfRankSampler,
  type ValueGenerator,
} from '../../src/load/value-generators.js';
import { createRandom } from '../../protocol/random.js';

function make(call: string, seed = 1): ValueGenerator {
  const [name, ...args] = call.split(' ') as [string, ...string[]];
  const generator = createValueGenerator(name, args, createRandom(seed));
  if (typeof generator === 'string') throw new Error(generator);
  return generator;
}

function counts(generator: ValueGenerator, draws: number): Map<string | number, number> {
  const seen = new Map<string | number, number>();
  for (let i = 0; i < draws; i++) {
    const value = generator();
    seen.set(value, (seen.get(value) ?? 0) + 1);
  }
  return seen;
}

/** Generalised harmonic number H(n, s) = sum of 1/k^s for k = 1..n. */
function harmonic(n: number, s: number): number {
  let sum = 0;
  for (let k = n; k >= 1; k--) sum += 1 / k ** s;
  return sum;
}

describe('value generators', () => {
  it('are seq, uniform, zipf, choice and csv', () => {
    expect(valueGeneratorNames).toEqual(['seq', 'uniform', 'zipf', 'choice', 'csv']);
  });

  describe('seq', () => {
    it('counts 1, 2, 3, ... by default', () => {
      const seq = make('seq');
      expect([seq(), seq(), seq()]).toEqual([1, 2, 3]);
    });

    it('starts at the given integer', () => {
      const seq = make('seq -2');
      expect([seq(), seq(), seq()]).toEqual([-2, -1, 0]);
    });

    it('keeps one counter per generator', () => {
      const a = make('seq');
      const b = make('seq');
      a();
      a();
      expect([a(), b()]).toEqual([3, 1]);
    });
  });

  describe('uniform', () => {
    it('stays in [a, b] and hits every integer about equally often', () => {
      const seen = counts(make('uniform 1 10'), 50_000);
      expect([...seen.keys()].sort((x, y) => Number(x) - Number(y))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const count of seen.values()) expect(Math.abs(count - 5000)).toBeLessThan(300);
    });

    it('gives a when a equals b', () => {
      expect(new Set(counts(make('uniform 7 7'), 100).keys())).toEqual(new Set([7]));
    });

    it('covers ranges wider than 2^32 without leaving them', () => {
      const generator = make('uniform 0 9007199254740990');
      const values = Array.from({ length: 2000 }, generator) as number[];
      expect(values.every((v) => Number.isSafeInteger(v) && v >= 0 && v <= 9007199254740990)).toBe(true);
      // With only 32 random bits every value would be a multiple of about 2^21.
      expect(values.some((v) => v % 2 ** 21 !== 0)).toBe(true);
    });

    it('stays within any valid range (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e9, max: 1e9 }),
          fc.integer({ min: 0, max: 1e9 }),
          fc.integer(),
          (a, span, seed) => {
            const generator = make(`uniform ${a} ${a + span}`, seed);
            for (let i = 0; i < 50; i++) {
              const v = generator() as number;
              if (!Number.isInteger(v) || v < a || v > a + span) return false;
            }
            return true;
          },
        ),
      );
    });
  });

  describe('zipf', () => {
    it.each([
      { n: 100, s: 1.1 },
      { n: 1000, s: 1 },
      { n: 1000, s: 1.0000001 },
      { n: 50, s: 0.5 },
      { n: 20, s: 2.5 },
    ])('n $n, s $s: rank frequencies match 1/(k^s H(n,s)) and fall with rank', ({ n, s }) => {
      const draws = 100_000;
      const seen = counts(make(`zipf 1 ${n} ${s}`, 5), draws);
      const h = harmonic(n, s);
      for (let k = 1; k <= 5; k++) {
        const expected = 1 / (k ** s * h);
        const observed = (seen.get(k) ?? 0) / draws;
        // Four standard errors, plus a little for small probabilities.
        expect(Math.abs(observed - expected)).toBeLessThan(
          4 * Math.sqrt((expected * (1 - expected)) / draws) + 1e-4,
        );
      }
      for (let k = 1; k < 5; k++) expect(seen.get(k) ?? 0).toBeGreaterThan(seen.get(k + 1) ?? 0);
      expect([...seen.keys()].every((v) => Number.isInteger(v) && Number(v) >= 1 && Number(v) <= n)).toBe(
        true,
      );
    });

    it('offsets ranks into a..b: a is the most frequent value', () => {
      const seen = counts(make('zipf 50 59 1.2'), 20_000);
      expect([...seen.keys()].every((v) => Number(v) >= 50 && Number(v) <= 59)).toBe(true);
      const top = [...seen.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
      expect(top).toBe(50);
      expect(seen.has(59)).toBe(true);
    });

    it('draws from 10^7 ranks with the right share for rank 1', () => {
      const n = 10_000_000;
      const draws = 100_000;
      const rank = zipfRankSampler(n, 1.1, createRandom(8));
      let ones = 0;
      let min = Infinity;
      let max = 0;
      for (let i = 0; i < draws; i++) {
        const k = rank();
        if (k === 1) ones++;
        if (k > max) max = k;
        if (k < min) min = k;
      }
      expect(min).toBe(1);
      expect(max).toBeLessThanOrEqual(n);
      expect(Number.isInteger(max)).toBe(true);
      const expected = 1 / harmonic(n, 1.1);
      expect(Math.abs(ones / draws - expected)).toBeLessThan(
        4 * Math.sqrt((expected * (1 - expected)) / draws),
      );
      expect(max).toBeGreaterThan(100_000); // the long tail is reached
    });

    it('gives the single value of a one-value range', () => {
      expect(new Set(counts(make('zipf 4 4 1.5'), 100).keys())).toEqual(new Set([4]));
    });

    it('stays within any valid range (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e6, max: 1e6 }),
          fc.integer({ min: 0, max: 1e8 }),
          fc.double({ min: 0.01, max: 5, noNaN: true }),
          fc.integer(),
          (a, span, s, seed) => {
            const generator = make(`zipf ${a} ${a + span} ${s}`, seed);
            for (let i = 0; i < 50; i++) {
              const v = generator() as number;
              if (!Number.isInteger(v) || v < a || v > a + span) return false;
            }
            return true;
          },
        ),
      );
    });
  });

  describe('choice', () => {
    it('picks each word about equally often; words written as numbers give numbers', () => {
      const seen = counts(make('choice red green 42 007'), 40_000);
      expect(new Set(seen.keys())).toEqual(new Set(['red', 'green', 42, '007']));
      for (const count of seen.values()) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    });
  });

  it.each([
    ['zipf', '1 x', 'zipf expects 3 numbers a b s with a ≤ b and s > 0, got "1 x"'],
    ['zipf', '10 1 1.1', 'zipf expects 3 numbers a b s with a ≤ b and s > 0, got "10 1 1.1"'],
    ['zipf', '1 10 0', 'zipf expects 3 numbers a b s with a ≤ b and s > 0, got "1 10 0"'],
    ['zipf', '1 10 -1', 'zipf expects 3 numbers a b s with a ≤ b and s > 0, got "1 10 -1"'],
    ['zipf', '1.5 10 1', 'zipf expects 3 numbers a b s with a ≤ b and s > 0, got "1.5 10 1"'],
    ['uniform', '1', 'uniform expects 2 integers a b with a ≤ b, got "1"'],
    ['uniform', '5 1', 'uniform expects 2 integers a b with a ≤ b, got "5 1"'],
    ['uniform', '1 2 3', 'uniform expects 2 integers a b with a ≤ b, got "1 2 3"'],
    ['uniform', '1 1e400', 'uniform expects 2 integers a b with a ≤ b, got "1 1e400"'],
    ['seq', 'x', 'seq expects no argument or 1 integer start, got "x"'],
    ['seq', '1 2', 'seq expects no argument or 1 integer start, got "1 2"'],
    ['choice', '', 'choice expects at least 1 word, got ""'],
    ['zipff', '1 2 1', 'unknown value generator "zipff" (known: seq, uniform, zipf, choice, csv)'],
    ['toString', '', 'unknown value generator "toString" (known: seq, uniform, zipf, choice, csv)'],
  ])('%s %s is refused: %s', (name, args, message) => {
    const words = args === '' ? [] : args.split(' ');
    expect(createValueGenerator(name, words, createRandom(1))).toBe(message);
  });

  it.each(['uniform 1 1000', 'zipf 1 100000 1.1', 'choice a b c d'])(
    '%s: the same seed gives the same values, another seed others',
    (call) => {
      const take = (seed: number) => Array.from({ length: 200 }, make(call, seed));
      expect(take(3)).toEqual(take(3));
      expect(take(3)).not.toEqual(take(4));
    },
  );
});
