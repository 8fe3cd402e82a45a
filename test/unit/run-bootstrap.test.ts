import { describe, expect, it } from 'vitest';
import { createRandom, normal } from '../../protocol/index.js';
import {
  bootstrapBounds,
  latencyCountsOf,
  poissonDraw,
  runQuantileChanges,
  studentTCdf,
  studentTQuantile,
  type LatencyCounts,
} from '../../src/analysis/index.js';
import { createLatencyHistogram, recordLatencyUs } from '../../src/metrics/index.js';

describe('Poisson draws', () => {
  it('have the mean and variance λ, by table, multiplication and transformed rejection', () => {
    const random = createRandom(7);
    for (const lambda of [0.4, 1, 7.5, 12, 64, 400]) {
      const n = 12_000;
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const k = poissonDraw(lambda, random);
        expect(Number.isInteger(k) && k >= 0).toBe(true);
        sum += k;
        squares += k * k;
      }
      const mean = sum / n;
      const variance = squares / n - mean * mean;
      // 5 standard errors of the mean, and 6% of λ for the variance.
      expect(Math.abs(mean - lambda), `mean at λ=${lambda}`).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(Math.abs(variance / lambda - 1), `variance at λ=${lambda}`).toBeLessThan(0.08);
    }
    expect(poissonDraw(0, random)).toBe(0);
    expect(() => poissonDraw(-1, random)).toThrow(RangeError);
  });
});

describe("Student's t", () => {
  it('gives the tabled quantiles', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 4);
    expect(studentTQuantile(0.95, 4)).toBeCloseTo(2.1318, 4);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.2622, 4);
    expect(studentTCdf(studentTQuantile(0.9, 3), 3)).toBeCloseTo(0.9, 9);
  });
});

/** One run: `n` latencies, lognormal around `medianMs` with spread `sigma`, scaled by `runFactor`. */
function run(
  random: ReturnType<typeof createRandom>,
  n: number,
  medianMs: number,
  sigma: number,
  runFactor: number,
) {
  const h = createLatencyHistogram();
  for (let i = 0; i < n; i++)
    recordLatencyUs(h, medianMs * runFactor * Math.exp(sigma * normal(random)) * 1000);
  return latencyCountsOf(h);
}

/** A comparison of `pairs` duet pairs: each pair shares a host factor, each run has its own. */
function duet(seed: number, pairs: number, shift: number): { a: LatencyCounts[]; b: LatencyCounts[] } {
  const random = createRandom(seed);
  const a: LatencyCounts[] = [];
  const b: LatencyCounts[] = [];
  for (let i = 0; i < pairs; i++) {
    const host = Math.exp(0.2 * normal(random));
    a.push(run(random, 1000, 5, 0.3, host * Math.exp(0.04 * normal(random))));
    b.push(run(random, 1000, 5 * (1 + shift), 0.3, host * Math.exp(0.04 * normal(random))));
  }
  return { a, b };
}

const p99Bounds = (input: { a: LatencyCounts[]; b: LatencyCounts[] }, paired = true) => {
  const [change] = runQuantileChanges({ ...input, paired, quantiles: [0.99], resamples: 1100 });
  return { change: change!, two: bootstrapBounds(change!.replicates, input.a.length, 0.95, 'two-sided') };
};

describe('latency percentiles of runs with a two-stage bootstrap', () => {
  it('estimates each side as the geometric mean of its runs’ percentiles, as HdrHistogram reads them', () => {
    const random = createRandom(3);
    const hs = [0, 1, 2].map((k) => {
      const h = createLatencyHistogram();
      for (let i = 0; i < 1000; i++) recordLatencyUs(h, 4000 * (1 + k) * Math.exp(0.6 * normal(random)));
      return h;
    });
    const [p50, p99] = runQuantileChanges({
      a: [latencyCountsOf(hs[0]!), latencyCountsOf(hs[1]!)],
      b: [latencyCountsOf(hs[2]!)],
      paired: false,
      quantiles: [0.5, 0.99],
      resamples: 10,
    });
    const geo = (q: number) => Math.sqrt(hs[0]!.getValueAtPercentile(q) * hs[1]!.getValueAtPercentile(q));
    expect(p50!.aUs).toBeCloseTo(geo(50), 6);
    expect(p99!.aUs).toBeCloseTo(geo(99), 6);
    expect(p99!.bUs).toBeCloseTo(hs[2]!.getValueAtPercentile(99), 6);
    expect(p99!.estimate).toBeCloseTo(Math.log(p99!.bUs / p99!.aUs), 12);
  });

  it('counts each run once: one run with a far slower tail does not decide the comparison', () => {
    // Pairs that mostly say B is faster, and one pair where B's run collapsed (p99 5x A's): with
    // all requests pooled the collapsed runs' seconds-long tails would set both sides' p99.
    const random = createRandom(17);
    const a: LatencyCounts[] = [];
    const b: LatencyCounts[] = [];
    for (const [fa, fb] of [
      [60, 50],
      [40, 14],
      [30, 6],
      [1, 5],
      [80, 58],
    ] as const) {
      a.push(run(random, 2000, 5, 0.3, fa));
      b.push(run(random, 2000, 5, 0.3, fb));
    }
    const { change, two } = p99Bounds({ a, b });
    expect(two!.low).toBeLessThan(0);
    expect(two!.high).toBeGreaterThan(0);
    expect(Math.exp(change.estimate) - 1).toBeLessThan(0);
  });

  it('gives the same figures for the same runs and seed, and other replicates for another seed', () => {
    const input = duet(11, 5, 0);
    const once = runQuantileChanges({
      ...input,
      paired: true,
      quantiles: [0.99],
      resamples: 300,
      seed: 5,
    });
    const again = runQuantileChanges({
      ...input,
      paired: true,
      quantiles: [0.99],
      resamples: 300,
      seed: 5,
    });
    const other = runQuantileChanges({
      ...input,
      paired: true,
      quantiles: [0.99],
      resamples: 300,
      seed: 6,
    });
    expect(Array.from(again[0]!.replicates)).toEqual(Array.from(once[0]!.replicates));
    expect(Array.from(other[0]!.replicates)).not.toEqual(Array.from(once[0]!.replicates));
  });

  it('widens the interval for few runs and has none below 3, or when the replicates cannot reach the tail', () => {
    const replicates = Float64Array.from({ length: 4000 }, (_, i) => (i - 2000) / 20_000);
    const five = bootstrapBounds(replicates, 5, 0.95, 'two-sided')!;
    const fifty = bootstrapBounds(replicates, 50, 0.95, 'two-sided')!;
    // n = 5: Φ(−√(5/4)·t(0.975, 4)) ≈ 0.00095 in each tail, against 0.025 without widening.
    expect(five.tail).toBeCloseTo(0.000954, 5);
    expect(five.high - five.low).toBeGreaterThan(fifty.high - fifty.low);
    expect(bootstrapBounds(replicates, 2, 0.95, 'two-sided')).toBeUndefined();
    expect(bootstrapBounds(replicates.slice(0, 500), 5, 0.95, 'two-sided')).toBeUndefined();
    const lower = bootstrapBounds(replicates, 5, 0.95, 'lower-bound')!;
    expect(lower.high).toBe(Infinity);
    expect(lower.low).toBeGreaterThan(five.low);
  });

  // Duets of 5 pairs of 1,000 requests each: lognormal latencies (σ 0.3), a host factor each pair
  // shares (σ 0.2) and each run's own factor (σ 0.04).
  it('calls a p99 change in at most 5% of 20 A/A duets', () => {
    let alarms = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { two } = p99Bounds(duet(seed, 5, 0));
      if (two!.low > 0 || two!.high < 0) alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(1);
  });

  it('calls a 25% slower B worse in at least 90% of 15 duets, with the estimate near +25%', () => {
    let hits = 0;
    for (let seed = 101; seed <= 115; seed++) {
      const { change, two } = p99Bounds(duet(seed, 5, 0.25));
      if (two!.low > 0) hits++;
      expect(Math.exp(change.estimate) - 1).toBeGreaterThan(0.1);
      expect(Math.exp(change.estimate) - 1).toBeLessThan(0.45);
    }
    expect(hits).toBeGreaterThanOrEqual(14);
  });

  it('keeps the pairing: the host noise a pair shares cancels, unpaired it does not', () => {
    const input = duet(201, 6, 0.25);
    const paired = p99Bounds(input, true).two!;
    const unpaired = p99Bounds(input, false).two!;
    expect(paired.high - paired.low).toBeLessThan(unpaired.high - unpaired.low);
  });
});
