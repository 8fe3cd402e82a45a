import { describe, expect, it } from 'vitest';
import { kneeOf } from '../../src/analysis/index.js';

describe('the knee of a latency-versus-throughput curve (Kneedle)', () => {
  it('finds where a flat latency starts to climb', () => {
    // 2 ms up to 800/s, then a steep queueing climb.
    const points = [100, 200, 300, 400, 500, 600, 700, 800, 850, 900, 950, 1000].map((rps) => ({
      rps,
      latencyMs: 2 + Math.max(0, rps - 800) ** 2 / 100,
    }));
    const knee = kneeOf(points);
    expect(knee?.point.rps).toBe(800);
    expect(knee?.strength).toBeGreaterThan(0.5);
  });

  it('does not depend on the order of the points', () => {
    const points = [400, 100, 900, 300, 700, 1000, 800, 200].map((rps) => ({
      rps,
      latencyMs: rps <= 700 ? 5 : 5 + (rps - 700) * 2,
    }));
    expect(kneeOf(points)?.point.rps).toBe(700);
  });

  it('has no knee with fewer than three points, flat latency or falling latency', () => {
    expect(
      kneeOf([
        { rps: 1, latencyMs: 1 },
        { rps: 2, latencyMs: 9 },
      ]),
    ).toBeUndefined();
    expect(kneeOf([1, 2, 3, 4].map((rps) => ({ rps, latencyMs: 3 })))).toBeUndefined();
    expect(kneeOf([1, 2, 3, 4].map((rps) => ({ rps, latencyMs: 10 - rps })))).toBeUndefined();
  });
});
