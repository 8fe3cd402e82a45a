import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  erfc,
  mannWhitney,
  normalCdf,
  normalQuantile,
  pairedShift,
  rankSumCut,
  rankSumNull,
  signedRank,
  signedRankNull,
  twoSampleShift,
} from '../../src/analysis/index.js';

// Reference values computed with scipy 1.17.1 (mannwhitneyu, wilcoxon) and, for the intervals, by
// enumerating every arrangement in Python: see docs/compare.md ("How the numbers were checked").
const A = [41.2, 39.8, 44.1, 40.5, 42.0];
const B = [47.9, 45.3, 50.2, 46.1, 44.8];
const logs = (xs: number[]) => xs.map(Math.log);
const rel = (x: number) => Math.exp(x) - 1;

/** U's null distribution by listing every way to pick n of n+m positions (the brute-force truth). */
function bruteRankSumNull(n: number, m: number): number[] {
  const counts = new Array<number>(n * m + 1).fill(0);
  const pick = (start: number, left: number, rankSum: number) => {
    if (left === 0) {
      counts[rankSum - (n * (n - 1)) / 2]++;
      return;
    }
    for (let p = start; p <= n + m - left; p++) pick(p + 1, left - 1, rankSum + p);
  };
  pick(0, n, 0);
  return counts;
}

describe('rank-sum (Mann-Whitney) distribution', () => {
  it('counts U exactly as enumerating every arrangement does', () => {
    for (const [n, m] of [
      [1, 1],
      [2, 3],
      [3, 3],
      [4, 6],
      [5, 5],
      [7, 4],
    ] as const) {
      expect([...rankSumNull(n, m)], `${n} vs ${m}`).toEqual(bruteRankSumNull(n, m));
    }
  });

  it('gives the exact two-sided p of scipy for 5 vs 5 fully separated runs', () => {
    const t = mannWhitney(A, B);
    expect(t.method).toBe('exact');
    expect(t.statistic).toBe(25);
    expect(t.pValue).toBeCloseTo(0.007936507936507936, 12);
  });

  it('gives the exact p of scipy for 8 vs 7 overlapping runs', () => {
    const a = [10.1, 10.5, 9.8, 10.9, 10.2, 10.4, 9.9, 10.0];
    const b = [10.6, 11.2, 10.3, 11.5, 10.8, 11.0, 10.7];
    const t = mannWhitney(a, b);
    expect(t.statistic).toBe(50);
    expect(t.pValue).toBeCloseTo(0.009324009324009324, 12);
  });

  it('falls back to the normal approximation with tie and continuity correction when values tie', () => {
    const t = mannWhitney([1, 2, 2, 3], [3, 4, 5, 5, 6]);
    expect(t.method).toBe('normal');
    expect(t.statistic).toBe(19.5);
    expect(t.pValue).toBeCloseTo(0.025573669368214636, 6);
  });

  it('counts a 20 vs 20 distribution in well under a second', () => {
    const started = performance.now();
    const counts = rankSumNull(20, 20);
    expect(performance.now() - started).toBeLessThan(1000);
    // The total is C(40, 20).
    expect(counts.reduce((s, c) => s + c, 0)).toBe(137846528820);
  });
});

describe('two-sample Hodges-Lehmann shift', () => {
  it('matches the reference interval for 5 vs 5: +12.6% [+4.535%, +21.84%], coverage 0.968', () => {
    const s = twoSampleShift(logs(A), logs(B));
    expect(rel(s.estimate)).toBeCloseTo(0.12562814070351758, 10);
    expect(s.interval).toBeDefined();
    expect(rel(s.interval!.low)).toBeCloseTo(0.0453514739229024, 10);
    expect(rel(s.interval!.high)).toBeCloseTo(0.21844660194174748, 10);
    expect(s.interval!.coverage).toBeCloseTo(0.9682539682539683, 12);
  });

  it('matches the reference interval for 8 vs 7 runs', () => {
    const a = [10.1, 10.5, 9.8, 10.9, 10.2, 10.4, 9.9, 10.0];
    const b = [10.6, 11.2, 10.3, 11.5, 10.8, 11.0, 10.7];
    const s = twoSampleShift(logs(a), logs(b));
    expect(rel(s.estimate)).toBeCloseTo(0.06332810866010052, 10);
    expect(rel(s.interval!.low)).toBeCloseTo(0.019230769230769162, 10);
    expect(rel(s.interval!.high)).toBeCloseTo(0.10891089108910879, 10);
    expect(s.interval!.coverage).toBeCloseTo(0.9599067599067599, 12);
  });

  it.each([
    [3, 3, false],
    [3, 4, false],
    [4, 4, true],
    [3, 5, true],
    [2, 8, true],
    [2, 7, false],
    [1, 30, false],
  ])('with %i vs %i runs has a finite two-sided 95%% interval: %s', (n, m, finite) => {
    const a = Array.from({ length: n }, (_, i) => i + 1);
    const b = Array.from({ length: m }, (_, i) => i + 100);
    expect(twoSampleShift(a, b).interval !== undefined).toBe(finite);
  });

  it('negates the shift and swaps the interval when A and B are swapped', () => {
    const sample = fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 4, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = twoSampleShift(logs(a), logs(b));
        const ba = twoSampleShift(logs(b), logs(a));
        expect(ba.estimate).toBeCloseTo(-ab.estimate, 9);
        expect(ba.interval!.low).toBeCloseTo(-ab.interval!.high, 9);
        expect(ba.interval!.high).toBeCloseTo(-ab.interval!.low, 9);
        expect(ba.test.pValue).toBeCloseTo(ab.test.pValue, 9);
      }),
    );
  });

  it('keeps the estimate inside its interval, and widens the interval as confidence grows', () => {
    const sample = fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 6, maxLength: 10 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        let previous: { low: number; high: number; coverage: number } | undefined;
        for (const confidence of [0.5, 0.8, 0.9, 0.95, 0.99]) {
          const s = twoSampleShift(a, b, { confidence });
          const i = s.interval!;
          expect(i.low).toBeLessThanOrEqual(s.estimate);
          expect(i.high).toBeGreaterThanOrEqual(s.estimate);
          expect(i.coverage).toBeGreaterThanOrEqual(confidence);
          if (previous !== undefined) {
            expect(i.coverage).toBeGreaterThanOrEqual(previous.coverage);
            expect(i.low).toBeLessThanOrEqual(previous.low);
            expect(i.high).toBeGreaterThanOrEqual(previous.high);
          }
          previous = i;
        }
      }),
    );
  });

  it('finds a shift added to every value of B', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 5, maxLength: 9 }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (a, delta) => {
          const s = twoSampleShift(
            a,
            a.map((x) => x + delta),
          );
          expect(s.estimate).toBeCloseTo(delta, 6);
          expect(s.interval!.low).toBeLessThanOrEqual(delta + 1e-9);
          expect(s.interval!.high).toBeGreaterThanOrEqual(delta - 1e-9);
        },
      ),
    );
  });

  it('uses the normal approximation for the cut beyond 50 runs a side, close to the exact one', () => {
    const exact = rankSumCut(50, 50, 0.025);
    const approx = rankSumCut(51, 51, 0.025);
    // Neighbouring sizes: the cut moves by about nm/2 − 1.96·sd between them, not by a jump.
    expect(Math.abs(approx.k - exact.k)).toBeLessThan(60);
    expect(1 - 2 * approx.achievedTail).toBeGreaterThan(0.94);
    expect(1 - 2 * approx.achievedTail).toBeLessThan(0.96);
  });
});

describe('signed-rank (paired) distribution and shift', () => {
  const a6 = [41.2, 39.8, 44.1, 40.5, 42.0, 43.3];
  const b6 = [45.0, 44.6, 43.7, 44.0, 43.4, 48.1];
  const d6 = a6.map((a, i) => Math.log(b6[i]! / a));

  it('counts T+ as the subset sums of 1..n', () => {
    expect([...signedRankNull(3)]).toEqual([1, 1, 1, 2, 1, 1, 1]);
    expect(signedRankNull(10).reduce((s, c) => s + c, 0)).toBe(1024);
  });

  it('gives the exact p of scipy.stats.wilcoxon for 6 duet pairs', () => {
    const t = signedRank(d6);
    expect(t.method).toBe('exact');
    expect(t.statistic).toBe(20);
    expect(t.pValue).toBeCloseTo(0.0625, 12);
  });

  it('drops zeros and corrects for ties as scipy does (approx, continuity correction)', () => {
    const t = signedRank([0.1, 0.2, -0.05, 0.1, 0.3, 0.0, 0.15]);
    expect(t.method).toBe('normal');
    expect(t.pValue).toBeCloseTo(0.058475261565652865, 6);
  });

  it('matches the reference Walsh-average interval for 6 pairs: +7.6% [-0.907%, +12.06%], coverage 0.969', () => {
    const s = pairedShift(d6);
    expect(rel(s.estimate)).toBeCloseTo(0.07608384845755523, 10);
    expect(rel(s.interval!.low)).toBeCloseTo(-0.009070294784580435, 10);
    expect(rel(s.interval!.high)).toBeCloseTo(0.12060301507537696, 10);
    expect(s.interval!.coverage).toBeCloseTo(0.96875, 12);
  });

  it('has no finite two-sided 95% interval with 5 pairs, but a finite one-sided 95% bound', () => {
    const d5 = d6.slice(0, 5);
    expect(pairedShift(d5).interval).toBeUndefined();
    const lower = pairedShift(d5, { alternative: 'lower-bound' });
    expect(rel(lower.interval!.low)).toBeCloseTo(-0.009070294784580435, 10);
    expect(lower.interval!.high).toBe(Infinity);
    expect(lower.interval!.coverage).toBeCloseTo(1 - 1 / 32, 12);
    const upper = pairedShift(d5, { alternative: 'upper-bound' });
    expect(upper.interval!.low).toBe(-Infinity);
    expect(rel(upper.interval!.high)).toBeCloseTo(0.12060301507537696, 10);
  });

  it('matches the reference interval for 8 pairs', () => {
    const s = pairedShift([0.02, -0.01, 0.05, 0.03, 0.04, -0.02, 0.06, 0.01]);
    expect(rel(s.estimate)).toBeCloseTo(0.02275503416444602, 10);
    expect(rel(s.interval!.low)).toBeCloseTo(-0.00498752080731768, 10);
    expect(rel(s.interval!.high)).toBeCloseTo(0.05127109637602412, 10);
    expect(s.interval!.coverage).toBeCloseTo(0.9609375, 12);
  });

  it('negates the centre and swaps the interval when every difference changes sign', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 15 }),
        (d) => {
          const s = pairedShift(d);
          const m = pairedShift(d.map((x) => -x));
          expect(m.estimate).toBeCloseTo(-s.estimate, 12);
          expect(m.interval!.low).toBeCloseTo(-s.interval!.high, 12);
          expect(m.interval!.high).toBeCloseTo(-s.interval!.low, 12);
        },
      ),
    );
  });

  it('widens the interval as confidence grows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 15 }),
        (d) => {
          let previous: { low: number; high: number; coverage: number } | undefined;
          for (const confidence of [0.5, 0.8, 0.9, 0.95]) {
            const i = pairedShift(d, { confidence }).interval!;
            expect(i.coverage).toBeGreaterThanOrEqual(confidence);
            if (previous !== undefined) {
              expect(i.coverage).toBeGreaterThanOrEqual(previous.coverage);
              expect(i.low).toBeLessThanOrEqual(previous.low);
              expect(i.high).toBeGreaterThanOrEqual(previous.high);
            }
            previous = i;
          }
        },
      ),
    );
  });
});

describe('normal distribution', () => {
  it.each([
    [0, 0.5],
    [1.959963984540054, 0.975],
    [-1.6448536269514729, 0.05],
    [3, 0.9986501019683699],
  ])('Φ(%f) = %f', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 7);
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it('has erfc(0) = 1 and erfc(-x) = 2 - erfc(x)', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(-0.7)).toBeCloseTo(2 - erfc(0.7), 12);
  });
});
