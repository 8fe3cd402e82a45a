/**
 * The generator's one-second samples close whole seconds of the run's clock, even when a timer
 * fires a little early by that clock (Node's timers keep whole milliseconds of their own clock).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GeneratorSampler, type GeneratorSample } from '../../src/load/generator-sampler.js';

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A sampler on a run clock that lags the timers' clock by `lagMs` (so every timer fires `lagMs`
 * early by the run clock), with a process that uses `cpuMsPerS` of CPU per second, spent in a
 * burst at the start of each second.
 */
function sampled(lagMs: number, cpuMsPerS: number, seconds: number): GeneratorSample[] {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
  const runNow = (): number => Date.now() - lagMs;
  const cpuUsageUs = (): number => {
    const t = Math.max(0, runNow());
    return (Math.floor(t / 1000) * cpuMsPerS + Math.min(cpuMsPerS, t % 1000)) * 1000;
  };
  const samples: GeneratorSample[] = [];
  const sampler = new GeneratorSampler({
    startEpochMs: 0,
    runNow,
    cpuUsageUs,
    onSample: (s) => samples.push(s),
  });
  sampler.start();
  vi.advanceTimersByTime(seconds * 1000 + 50);
  sampler.stop();
  return samples;
}

describe('GeneratorSampler', () => {
  it('takes one sample per second of the run clock when its timers fire early, each with the second’s CPU', () => {
    const samples = sampled(0.6, 100, 5);
    expect(samples.map((s) => s.t)).toEqual([0, 1, 2, 3, 4]);
    // 100 ms of CPU per 1000 ms: 10%, give or take the 0.6 ms the timers are early.
    for (const s of samples) expect(s.cpuPct).toBeCloseTo(10, 0);
  });

  it('takes one sample per second when its timers are on time', () => {
    const samples = sampled(0, 250, 4);
    expect(samples.map((s) => s.t)).toEqual([0, 1, 2, 3]);
    for (const s of samples) expect(s.cpuPct).toBeCloseTo(25, 0);
  });
});
