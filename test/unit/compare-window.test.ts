import { describe, expect, it } from 'vitest';
import {
  compareRunSets,
  latencyCountsOf,
  resultInSeconds,
  secondsOfPhases,
  type RunSet,
} from '../../src/analysis/index.js';
import { createLatencyHistogram, decodeHistogram, recordLatencyUs } from '../../src/metrics/index.js';
import type { LatencyInterval, ResultDocument } from '../../src/results/index.js';
import { syntheticResult } from '../helpers/synthetic-result.js';

/** Per-second histograms: second t holds `n` latencies of `ms(t)`. */
function intervals(seconds: number, ms: (t: number) => number, n = 100): LatencyInterval[] {
  return Array.from({ length: seconds }, (_, t) => {
    const histogram = createLatencyHistogram();
    for (let i = 0; i < n; i++) recordLatencyUs(histogram, ms(t) * 1000 + i);
    return { t, histogram };
  });
}

describe('the seconds a comparison looks at', () => {
  it('takes the seconds of the named phases, and names the missing ones with those the run has', () => {
    const result = syntheticResult({ seconds: 30 });
    const steady = secondsOfPhases(result, ['steady']);
    expect('seconds' in steady && [...steady.seconds]).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    const both = secondsOfPhases(result, ['warmup', 'steady']);
    expect('seconds' in both && both.seconds.size).toBe(30);
    expect(secondsOfPhases(result, ['steady', 'cooldown', 'x'])).toEqual({
      missing: ['cooldown', 'x'],
      have: ['warmup', 'steady'],
    });
  });

  it('restricts the summary, series and histogram to those seconds, leaving the warm-up out', () => {
    const result = syntheticResult({ seconds: 30, requests: (t) => (t < 10 ? 50 : 200) });
    // A slow warm-up (200 ms) and a fast steady phase (5 ms).
    const logs = intervals(30, (t) => (t < 10 ? 200 : 5));
    const picked = secondsOfPhases(result, ['steady']);
    if (!('seconds' in picked)) throw new Error('steady expected');
    const { result: view, histogram } = resultInSeconds(result, logs, picked.seconds);
    expect(view.series.map((p) => p.t)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    expect(view.summary.requests).toBe(20 * 200);
    expect(view.summary.durationS).toBe(20);
    expect(view.summary.rps).toBe(200);
    expect(histogram.totalCount).toBe(20 * 100);
    expect(view.summary.latencyMs.p99).toBeLessThan(6);
    // The run itself is left as it was.
    expect(result.series).toHaveLength(30);
  });
});

describe('compareRunSets with each run’s latency', () => {
  const side = (label: string, results: ResultDocument[]): RunSet => ({
    label,
    sources: results.map((_, i) => `${label}/run-${i + 1}`),
    results,
    latency: results.map((r) => latencyCountsOf(decodeHistogram(r.histogram))),
  });
  const runs = (scale: number, n: number) =>
    Array.from({ length: n }, (_, i) => syntheticResult({ seconds: 12, p99: () => 10 * scale + i * 0.01 }));

  it('bootstraps latency percentiles, names both methods, and keeps throughput on ranks', () => {
    const c = compareRunSets(side('A', runs(1, 5)), side('B', runs(1, 5)), { design: 'paired' });
    const p99 = c.metrics.find((m) => m.metric === 'p99')!;
    expect(p99.method).toBe('bootstrap');
    expect(p99.geoMean).toBeDefined();
    // The same histograms on both sides: no change, with an interval of 0 width around 0.
    expect(p99.verdict).toBe('no change');
    expect(c.metrics.find((m) => m.metric === 'rps')!.method).toBe('rank');
    expect(c.method).toMatch(
      /^Latency percentiles: geometric mean of the runs' percentiles, 95% CI from a two-stage bootstrap/,
    );
    expect(c.method).toContain('other figures: Hodges-Lehmann shift of paired log ratios');
    expect(c.minimum!.verdicts).toBe('latency: at least 5 pairs; other figures: at least 6 pairs');
    expect(c.minimum!.gates).toBe('latency: at least 4 pairs; other figures: at least 5 pairs');
  });

  it('says inconclusive with 4 pairs, naming the latency minimum, but gates on 4', () => {
    const c = compareRunSets(side('A', runs(1, 4)), side('B', runs(1, 4)), { design: 'paired' });
    const p99 = c.metrics.find((m) => m.metric === 'p99')!;
    expect(p99.verdict).toBe('inconclusive');
    expect(p99.reason).toBe(
      'not enough runs: 4 pairs; a finite 95% interval of a latency percentile needs at least 5 pairs',
    );
    expect(p99.gateBounds).toBeDefined();
  });

  it('falls back to one figure per run when a side has no latency counts', () => {
    const a = side('A', runs(1, 5));
    const { latency: _, ...withoutLatency } = side('B', runs(1, 5));
    const c = compareRunSets(a, withoutLatency, { design: 'paired' });
    expect(c.metrics.find((m) => m.metric === 'p99')!.method).toBe('rank');
  });
});
