/**
 * Latency percentiles compared with each run's own requests behind its figure: every run's
 * percentile, each side's geometric mean of them, and a two-stage bootstrap (stats-run-bootstrap.ts)
 * that carries both the run-to-run variation and the sampling noise of a percentile within a run
 * into the interval.
 */
import type { MetricId } from './compare-metrics.js';
import { bootstrapBounds, runQuantileChanges, type LatencyCounts } from './stats-run-bootstrap.js';

/** Each run's latency counts, one entry per run of each side (same order as the results). */
export interface RunLatencyInput {
  a: readonly LatencyCounts[];
  b: readonly LatencyCounts[];
}

/** What the bootstrap found for one latency percentile. */
export interface LatencyFigures {
  /** Each side's geometric mean of its runs' percentile, ms. */
  geoMeanMs: { a: number; b: number };
  /** The relative change, B vs A (0.1 = +10%). */
  estimate: number;
  /** The two-sided interval at the confidence asked, when the runs allow a finite one. */
  interval?: { low: number; high: number };
  /** One-sided bounds, each at the confidence asked on its own. */
  gateBounds?: { low: number; high: number };
  /** Runs (pairs when paired) the widening counted. */
  runs: number;
}

/** Bootstrap replicates per comparison: enough to reach the widened tail with 5 runs at 95%. */
export const latencyResamples = 4000;

/** The latency metrics the bootstrap serves, and their percentile as a fraction. */
export const latencyQuantiles: Readonly<Partial<Record<MetricId, number>>> = {
  p50: 0.5,
  p90: 0.9,
  p99: 0.99,
  p999: 0.999,
};

/** Every latency percentile compared; undefined when a side has no run with requests. */
export function compareRunLatency(
  input: RunLatencyInput,
  design: 'unpaired' | 'paired',
  confidence: number,
): Map<MetricId, LatencyFigures> | undefined {
  const withRequests = (runs: readonly LatencyCounts[]) =>
    runs.filter((r) => r.counts.some((c) => c > 0)).length;
  const runs =
    design === 'paired'
      ? input.a.filter((r, i) => withRequests([r]) > 0 && withRequests([input.b[i] as LatencyCounts]) > 0)
          .length
      : Math.min(withRequests(input.a), withRequests(input.b));
  if (runs === 0) return undefined;
  const ids = Object.keys(latencyQuantiles) as MetricId[];
  const changes = runQuantileChanges({
    a: input.a,
    b: input.b,
    paired: design === 'paired',
    quantiles: ids.map((id) => latencyQuantiles[id] as number),
    resamples: latencyResamples,
    seed: 1,
  });
  const out = new Map<MetricId, LatencyFigures>();
  ids.forEach((id, i) => {
    const change = changes[i];
    if (change === undefined || !Number.isFinite(change.estimate)) return;
    const relative = (x: number) => Math.exp(x) - 1;
    const two = bootstrapBounds(change.replicates, runs, confidence, 'two-sided');
    const lower = bootstrapBounds(change.replicates, runs, confidence, 'lower-bound');
    const upper = bootstrapBounds(change.replicates, runs, confidence, 'upper-bound');
    out.set(id, {
      geoMeanMs: { a: change.aUs / 1000, b: change.bUs / 1000 },
      estimate: relative(change.estimate),
      runs,
      ...(two === undefined ? {} : { interval: { low: relative(two.low), high: relative(two.high) } }),
      ...(lower === undefined || upper === undefined
        ? {}
        : { gateBounds: { low: relative(lower.low), high: relative(upper.high) } }),
    });
  });
  return out;
}

/**
 * The fewest runs (pairs when paired, else runs on each side) for which the widened bootstrap
 * gives a finite interval (two-sided) or bound (one-sided) at `confidence` from
 * {@link latencyResamples} replicates.
 */
export function latencyMinimumRuns(confidence: number, sides: 'two-sided' | 'one-sided'): number {
  const replicates = new Float64Array(latencyResamples);
  for (let n = 3; n < 100; n++) {
    if (bootstrapBounds(replicates, n, confidence, sides === 'two-sided' ? 'two-sided' : 'lower-bound'))
      return n;
  }
  return 100;
}
