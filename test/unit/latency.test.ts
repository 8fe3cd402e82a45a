import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLatencySampler, latencySamplers, maxLatencyMs, z99 } from '../../src/deps/latency.js';
import { latencySpecSchema, type LatencySpec } from '../../src/deps/db-spec.js';
import { createRandom } from '../../protocol/random.js';

const n = 50_000;

function draw(spec: LatencySpec, seed = 42, count = n): number[] {
  const sample = createLatencySampler(spec, createRandom(seed));
  return Array.from({ length: count }, () => sample());
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

describe('latency samplers', () => {
  it('has one sampler for each distribution the schema accepts', () => {
    const dists = latencySpecSchema.options.map((option) => option.shape.dist.value).sort();
    expect(Object.keys(latencySamplers).sort()).toEqual(dists);
  });

  it('constant always gives exactly ms', () => {
    expect(new Set(draw({ dist: 'constant', ms: 7.5 }))).toEqual(new Set([7.5]));
  });

  it('uniform stays within [minMs, maxMs) and averages their midpoint', () => {
    const xs = draw({ dist: 'uniform', minMs: 5, maxMs: 25 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...xs)).toBeLessThan(25);
    expect(Math.min(...xs)).toBeLessThan(5.1);
    expect(Math.max(...xs)).toBeGreaterThan(24.9);
    expect(mean(xs)).toBeCloseTo(15, 0);
  });

  it('normal matches meanMs and sdMs when 0 is far in the tail', () => {
    const xs = draw({ dist: 'normal', meanMs: 20, sdMs: 5 });
    expect(Math.abs(mean(xs) - 20)).toBeLessThan(0.1);
    expect(Math.abs(sd(xs) - 5) / 5).toBeLessThan(0.02);
  });

  it('normal is truncated at 0: with meanMs 0 it is the half-normal, never negative', () => {
    const xs = draw({ dist: 'normal', meanMs: 0, sdMs: 10 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    // Half-normal mean: sd * sqrt(2 / pi); a clamp at 0 would give half of that.
    expect(Math.abs(mean(xs) - 10 * Math.sqrt(2 / Math.PI))).toBeLessThan(0.15);
  });

  it.each([
    { p50Ms: 2, p99Ms: 15 },
    { p50Ms: 20, p99Ms: 60 },
    { p50Ms: 0.5, p99Ms: 200 },
  ])('lognormal p50 $p50Ms / p99 $p99Ms: empirical p50 and p99 within 5%', ({ p50Ms, p99Ms }) => {
    const xs = draw({ dist: 'lognormal', p50Ms, p99Ms });
    expect(Math.abs(quantile(xs, 0.5) / p50Ms - 1)).toBeLessThan(0.05);
    expect(Math.abs(quantile(xs, 0.99) / p99Ms - 1)).toBeLessThan(0.05);
  });

  it('lognormal with p99Ms equal to p50Ms is constant', () => {
    expect(new Set(draw({ dist: 'lognormal', p50Ms: 3, p99Ms: 3 }, 1, 1000))).toEqual(new Set([3]));
  });

  it('uses z0.99 = 2.3263478740', () => {
    expect(z99).toBeCloseTo(2.326347874, 9);
  });

  it('exponential matches meanMs, and its median is meanMs * ln 2', () => {
    const xs = draw({ dist: 'exponential', meanMs: 10 });
    expect(Math.abs(mean(xs) / 10 - 1)).toBeLessThan(0.03);
    expect(Math.abs(quantile(xs, 0.5) / (10 * Math.LN2) - 1)).toBeLessThan(0.03);
  });

  it.each<LatencySpec>([
    { dist: 'uniform', minMs: 1, maxMs: 9 },
    { dist: 'normal', meanMs: 5, sdMs: 2 },
    { dist: 'lognormal', p50Ms: 2, p99Ms: 15 },
    { dist: 'exponential', meanMs: 4 },
  ])('$dist: the same seed gives the same samples, another seed others', (spec) => {
    expect(draw(spec, 9, 500)).toEqual(draw(spec, 9, 500));
    expect(draw(spec, 9, 500)).not.toEqual(draw(spec, 10, 500));
  });

  it('caps samples at the longest delay setTimeout honours', () => {
    const xs = draw({ dist: 'lognormal', p50Ms: 1e-300, p99Ms: 600_000 }, 3, 20_000);
    expect(Math.max(...xs)).toBeLessThanOrEqual(maxLatencyMs);
  });

  it('every sample of any valid spec is finite and at least 0', () => {
    const ms = fc.double({ min: 0, max: 600_000, noNaN: true });
    const positive = fc.double({ min: Number.MIN_VALUE, max: 600_000, noNaN: true });
    const spec = fc.oneof(
      ms.map((v) => ({ dist: 'constant', ms: v })),
      fc.tuple(ms, ms).map(([a, b]) => ({ dist: 'uniform', minMs: Math.min(a, b), maxMs: Math.max(a, b) })),
      fc.tuple(ms, ms).map(([meanMs, sdMs]) => ({ dist: 'normal', meanMs, sdMs })),
      fc
        .tuple(positive, positive)
        .map(([a, b]) => ({ dist: 'lognormal', p50Ms: Math.min(a, b), p99Ms: Math.max(a, b) })),
      positive.map((meanMs) => ({ dist: 'exponential', meanMs })),
    );
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 0xffffffff }), (input, seed) => {
        const sample = createLatencySampler(latencySpecSchema.parse(input), createRandom(seed));
        for (let i = 0; i < 200; i++) {
          const x = sample();
          if (!Number.isFinite(x) || x < 0) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
