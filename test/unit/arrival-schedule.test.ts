import { describe, expect, it } from 'vitest';
import { arrivalSchedule, type SchedulePhase } from '../../src/load/arrival-schedule.js';
import { createRandom } from '../../protocol/random.js';

function times(
  phase: SchedulePhase,
  arrivals: 'uniform' | 'poisson',
  seed = 1,
  lane = 0,
  lanes = 1,
): number[] {
  const schedule = arrivalSchedule(phase, { arrivals, random: createRandom(seed), lane, lanes });
  const out: number[] = [];
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) out.push(t);
  return out;
}

const integral = (p: SchedulePhase): number =>
  ((p.rate.from + p.rate.to) / 2) * ((p.endMs - p.startMs) / 1000);

describe('arrivalSchedule', () => {
  it.each([
    { startMs: 0, endMs: 1000, rate: { from: 500, to: 500 } },
    { startMs: 5000, endMs: 15_000, rate: { from: 100, to: 2000 } },
    { startMs: 1000, endMs: 4000, rate: { from: 900, to: 0 } },
    { startMs: 0, endMs: 2000, rate: { from: 0, to: 333 } },
    { startMs: 0, endMs: 1500, rate: { from: 0.5, to: 0.5 } },
  ])('makes as many uniform arrivals as the rate integrates to, within 1, inside the phase: %o', (phase) => {
    for (const lanes of [1, 3, 4]) {
      const t = Array.from({ length: lanes }, (_, lane) => times(phase, 'uniform', 1, lane, lanes)).flat();
      expect(Math.abs(t.length - integral(phase))).toBeLessThanOrEqual(1);
      t.sort((x, y) => x - y);
      expect(t.every((x) => x >= phase.startMs && x < phase.endMs)).toBe(true);
      expect(t.every((x, i) => i === 0 || x >= (t[i - 1] as number))).toBe(true);
    }
  });

  it('spaces uniform arrivals of a constant rate exactly 1/rate apart, from the phase start', () => {
    const t = times({ startMs: 2000, endMs: 3000, rate: { from: 400, to: 400 } }, 'uniform');
    expect(t).toHaveLength(400);
    t.forEach((x, i) => expect(x).toBeCloseTo(2000 + i * 2.5, 6));
  });

  it('gives a lane every lanes-th arrival, so lanes sharing a rate interleave into the one stream', () => {
    const phase = { startMs: 0, endMs: 1000, rate: { from: 100, to: 100 } };
    expect(times(phase, 'uniform', 1, 1, 2)).toEqual(times(phase, 'uniform').filter((_, k) => k % 2 === 1));
    const merged = [0, 1].flatMap((lane) => times(phase, 'uniform', 1, lane, 2)).sort((a, b) => a - b);
    expect(merged).toEqual(times(phase, 'uniform'));
  });

  it('puts the k-th arrival of a ramp where the integral of the rate reaches k', () => {
    const phase = { startMs: 0, endMs: 10_000, rate: { from: 100, to: 1100 } };
    const t = times(phase, 'uniform');
    const lambda = (ms: number): number => 100 * (ms / 1000) + (100 * (ms / 1000) ** 2) / 2;
    for (const k of [0, 1, 10, 500, 3000, t.length - 1]) expect(lambda(t[k] as number)).toBeCloseTo(k, 6);
  });

  it('draws Poisson gaps with mean 1/rate and a coefficient of variation near 1', () => {
    const t = times({ startMs: 0, endMs: 60_000, rate: { from: 500, to: 500 } }, 'poisson', 42);
    const gaps = t.slice(1).map((x, i) => x - (t[i] as number));
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(2 * 0.98);
    expect(mean).toBeLessThan(2 * 1.02);
    expect(sd / mean).toBeGreaterThan(0.97);
    expect(sd / mean).toBeLessThan(1.03);
    expect(Math.abs(t.length - 30_000)).toBeLessThan(4 * Math.sqrt(30_000));
  });

  it('follows a ramp with Poisson arrivals too: the count is the integral within four standard deviations', () => {
    const phase = { startMs: 0, endMs: 20_000, rate: { from: 50, to: 950 } };
    const t = times(phase, 'poisson', 7);
    expect(Math.abs(t.length - integral(phase))).toBeLessThan(4 * Math.sqrt(integral(phase)));
    const firstHalf = t.filter((x) => x < 10_000).length;
    expect(firstHalf / t.length).toBeGreaterThan(0.25);
    expect(firstHalf / t.length).toBeLessThan(0.35); // (50+500)/2 / 500 = 0.275 of the arrivals
  });

  it('gives the same times for the same seed and different ones for another seed', () => {
    const phase = { startMs: 0, endMs: 2000, rate: { from: 300, to: 300 } };
    expect(times(phase, 'poisson', 5)).toEqual(times(phase, 'poisson', 5));
    expect(times(phase, 'poisson', 5)).not.toEqual(times(phase, 'poisson', 6));
  });

  it('makes no arrival for a zero rate or an empty phase', () => {
    expect(times({ startMs: 0, endMs: 1000, rate: { from: 0, to: 0 } }, 'uniform')).toEqual([]);
    expect(times({ startMs: 0, endMs: 0, rate: { from: 10, to: 10 } }, 'poisson')).toEqual([]);
  });
});
