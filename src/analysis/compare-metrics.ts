/**
 * The figures a comparison looks at, one number per run each, and which direction is worse.
 * Each run is one observation: the statistics then treat repeats, not seconds, as the sample.
 */
import type { ResultDocument, SeriesPoint } from '../results/index.js';
import type { GateMetric } from '../shared/index.js';
import { errorRate } from './slo.js';

/** Names of the compared figures, as written in `--fail-on` and `gate:`. */
export type MetricId = GateMetric;

/** How a figure is compared, and where it comes from. */
export interface MetricDefinition {
  id: MetricId;
  /** Name in tables, e.g. "p99 latency". */
  label: string;
  /** Unit of the run's figure: "ms", "req/s", "%", "MB", "ms/s". */
  unit: string;
  /** Which way is worse: higher (latency, errors, memory) or lower (throughput). */
  worse: 'higher' | 'lower';
  /**
   * "relative": compared on the log scale and reported as a % change; "difference": compared as
   * B − A in the unit (error rate: percentage points).
   */
  scale: 'relative' | 'difference';
  /**
   * The equivalence margin on the metric's scale: a fraction (0.02 = ±2%) for relative metrics, in
   * the unit for difference metrics. An interval wholly inside ±margin is "no change".
   */
  margin: number;
  /**
   * The margin in the unit used when a relative metric has values of 0 and falls back to being
   * compared as a difference.
   */
  differenceMargin: number;
  /** Figures from the service's telemetry are compared only where runs have them. */
  fromService: boolean;
  /** This run's figure, or undefined when the run has none (no responses, no telemetry). */
  of(result: ResultDocument): number | undefined;
}

/** ±2%: just above the ±1.5% two identical services measured at the same time agree within. */
export const relativeMargin = 0.02;
/** ±0.1 percentage points of error rate. */
export const errorRateMarginPp = 0.1;

const latency = (id: 'p50' | 'p90' | 'p99' | 'p999', label: string): MetricDefinition => ({
  id,
  label,
  unit: 'ms',
  worse: 'higher',
  scale: 'relative',
  margin: relativeMargin,
  differenceMargin: 0,
  fromService: false,
  of: (r) => (r.summary.requests > 0 ? r.summary.latencyMs[id] : undefined),
});

/** Every compared figure, in table order. */
export const metricDefinitions: readonly MetricDefinition[] = [
  latency('p50', 'p50 latency'),
  latency('p90', 'p90 latency'),
  latency('p99', 'p99 latency'),
  latency('p999', 'p99.9 latency'),
  {
    id: 'rps',
    label: 'throughput',
    unit: 'req/s',
    worse: 'lower',
    scale: 'relative',
    margin: relativeMargin,
    differenceMargin: 0,
    fromService: false,
    of: (r) => (r.summary.durationS > 0 ? r.summary.rps : undefined),
  },
  {
    id: 'errorRate',
    label: 'error rate',
    unit: '%',
    worse: 'higher',
    scale: 'difference',
    margin: errorRateMarginPp,
    differenceMargin: errorRateMarginPp,
    fromService: false,
    of: (r) => {
      const rate = errorRate(r.summary);
      return rate === undefined ? undefined : rate * 100;
    },
  },
  {
    id: 'eventLoopDelayP99',
    label: 'service event-loop delay p99',
    unit: 'ms',
    worse: 'higher',
    scale: 'relative',
    margin: relativeMargin,
    differenceMargin: 0.5,
    fromService: true,
    // The typical second's p99 (median over seconds): one stalled second does not decide a run.
    of: (r) => median(serviceFigures(r.series, (s) => s.eventLoopDelayMs?.p99)),
  },
  {
    id: 'heapPeak',
    label: 'service heap peak',
    unit: 'MB',
    worse: 'higher',
    scale: 'relative',
    margin: relativeMargin,
    differenceMargin: 0,
    fromService: true,
    of: (r) => {
      const heap = serviceFigures(r.series, (s) => s.heapUsedBytes);
      return heap.length === 0 ? undefined : Math.max(...heap) / 1e6;
    },
  },
  {
    id: 'gcTime',
    label: 'service GC pause time',
    unit: 'ms/s',
    worse: 'higher',
    scale: 'relative',
    margin: relativeMargin,
    differenceMargin: 0.5,
    fromService: true,
    // Pause time per second of telemetry, so runs of different lengths compare.
    of: (r) => {
      const gc = serviceFigures(r.series, (s) => s.gcPauseMs);
      return gc.length === 0 ? undefined : gc.reduce((sum, x) => sum + x, 0) / gc.length;
    },
  },
];

/** The definition of a metric by its id. */
export function metricDefinition(id: MetricId): MetricDefinition {
  return metricDefinitions.find((m) => m.id === id) as MetricDefinition;
}

type ServiceOf = NonNullable<SeriesPoint['service']>;

function serviceFigures(
  series: readonly SeriesPoint[],
  pick: (s: ServiceOf) => number | undefined,
): number[] {
  const out: number[] = [];
  for (const point of series) {
    const value = point.service === undefined ? undefined : pick(point.service);
    if (typeof value === 'number' && Number.isFinite(value)) out.push(value);
  }
  return out;
}

/** The median of `values` (mean of the middle two when even); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}
