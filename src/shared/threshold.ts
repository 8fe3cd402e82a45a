/**
 * Gate thresholds, "p99:+10%", "rps:-5%", "errorRate:+0.5pp": how much worse B may be than A on
 * one metric. Written on the command line (`--fail-on`) and in a scenario's `gate:` section, so the
 * syntax lives here where both the scenario schema and the analysis can read it; judging a
 * comparison against a threshold is the analysis module's.
 */

/** Every metric a threshold may name, which way is worse, and the unit its change is written in. */
export const gateMetrics = {
  p50: { worse: 'higher', unit: '%' },
  p90: { worse: 'higher', unit: '%' },
  p99: { worse: 'higher', unit: '%' },
  p999: { worse: 'higher', unit: '%' },
  rps: { worse: 'lower', unit: '%' },
  errorRate: { worse: 'higher', unit: 'pp' },
  eventLoopDelayP99: { worse: 'higher', unit: '%' },
  heapPeak: { worse: 'higher', unit: '%' },
  gcTime: { worse: 'higher', unit: '%' },
} as const satisfies Record<string, { worse: 'higher' | 'lower'; unit: '%' | 'pp' }>;

/** A metric a threshold may name. */
export type GateMetric = keyof typeof gateMetrics;

/** A parsed threshold. */
export interface Threshold {
  /** As written, e.g. "p99:+10%". */
  text: string;
  metric: GateMetric;
  /**
   * The largest tolerated change towards worse, signed: a fraction for "%" (+10% → 0.1, −5% →
   * −0.05), percentage points for "pp" (+0.5pp → 0.5).
   */
  limit: number;
  unit: '%' | 'pp';
}

const aliases: Record<string, GateMetric> = { 'p99.9': 'p999' };
const form = /^\s*([A-Za-z0-9.]+)\s*:\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(%|pp)\s*$/;

/** The expected form, for error messages. */
export const thresholdForm = 'metric:change such as "p99:+10%", "rps:-5%" or "errorRate:+0.5pp"';

/**
 * Parses one threshold. The sign may be left out (it is then the metric's worse direction); a
 * sign towards better ("rps:+5%") is refused, as is "%" for errorRate (write pp) and "pp" for the
 * others. Returns the threshold, or the problem as a sentence saying what was expected and found.
 */
export function parseThreshold(text: string): { threshold: Threshold } | { problem: string } {
  const match = form.exec(text);
  if (match === null) return { problem: `expected ${thresholdForm}, found "${text}"` };
  const [, name = '', sign = '', amount = '', unit = ''] = match;
  const metric = aliases[name] ?? name;
  if (!Object.hasOwn(gateMetrics, metric)) {
    return {
      problem: `expected a metric among ${Object.keys(gateMetrics).join(', ')}, found "${name}" in "${text}"`,
    };
  }
  const spec = gateMetrics[metric as GateMetric];
  if (unit !== spec.unit) {
    return {
      problem:
        spec.unit === 'pp'
          ? `${metric} changes are written in percentage points, e.g. "${metric}:+0.5pp", found "${text}"`
          : `${metric} changes are written in %, e.g. "${metric}:${spec.worse === 'lower' ? '-' : '+'}10%", found "${text}"`,
    };
  }
  const worseSign = spec.worse === 'higher' ? '+' : '-';
  if (sign !== '' && sign !== worseSign) {
    return {
      problem: `${metric} is worse when ${spec.worse === 'higher' ? 'higher' : 'lower'}, so its threshold is ${
        worseSign === '+' ? 'positive' : 'negative'
      } (e.g. "${metric}:${worseSign}${amount}${unit}"), found "${text}"`,
    };
  }
  const magnitude = Number(amount) / (unit === '%' ? 100 : 1);
  return {
    threshold: {
      text: text.trim(),
      metric: metric as GateMetric,
      limit: worseSign === '+' ? magnitude : -magnitude,
      unit,
    },
  };
}
