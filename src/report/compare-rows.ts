/**
 * A comparison as rows of words, shared by the terminal table, Markdown and JUnit so each says
 * the same thing: figures with units, the change with its interval, the verdict with its reason.
 */
import { formatChange, formatInterval, type Comparison, type MetricComparison } from '../analysis/index.js';
import { formatMs, formatRps } from '../shared/index.js';

/** One metric in words. */
export interface ComparisonRow {
  metric: string;
  a: string;
  b: string;
  /** "+12.6% [+4.5%, +21.8%]", or the estimate alone with "(no interval)". */
  change: string;
  /** "worse", or "inconclusive (not enough runs: ...)" when there is no interval. */
  verdict: string;
}

/** The header of the change column, e.g. "change [95% CI]". */
export function changeHeader(comparison: Comparison): string {
  return `change [${Number((comparison.confidence * 100).toFixed(1))}% CI]`;
}

/** Every metric of the comparison as a row. */
export function comparisonRows(comparison: Comparison): ComparisonRow[] {
  return comparison.metrics.map((m) => ({
    metric: m.label,
    a: sideText(m, 'a'),
    b: sideText(m, 'b'),
    change: changeText(m),
    verdict: verdictText(m),
  }));
}

/** The change and its interval in words. */
export function changeText(m: MetricComparison): string {
  const c = m.change;
  if (c === undefined) return 'n/a';
  const estimate = formatChange(c.estimate, m);
  if (c.low === undefined || c.high === undefined) return `${estimate} (no interval)`;
  return `${estimate} ${formatInterval(c.low, c.high, m)}`;
}

/** The verdict, with the reason when it is inconclusive for want of runs or data. */
export function verdictText(m: MetricComparison): string {
  if (m.verdict === 'inconclusive' && (m.change?.low === undefined || m.change.high === undefined)) {
    return `inconclusive (${m.reason})`;
  }
  return m.verdict;
}

/** A headline over the metrics: "worse: p99 latency (+12.6%) · no change: error rate". */
export function verdictHeadline(comparison: Comparison): string {
  const groups: [string, MetricComparison[]][] = (
    ['worse', 'better', 'no change', 'inconclusive'] as const
  ).map((v) => [v, comparison.metrics.filter((m) => m.verdict === v)]);
  return groups
    .filter(([, ms]) => ms.length > 0)
    .map(
      ([v, ms]) =>
        `${v}: ${ms
          .map((m) =>
            v === 'worse' || v === 'better'
              ? `${m.label} (${formatChange(m.change?.estimate ?? 0, m)})`
              : m.label,
          )
          .join(', ')}`,
    )
    .join(' · ');
}

/** A gate's outcome in one line: "p99:+10% fail: change +12.6%; its one-sided 95% lower bound +11.2% lies beyond the threshold +10%". */
export function gateLines(comparison: Comparison): string[] {
  return comparison.gates.map((g) => `${g.threshold.text} ${g.outcome}: ${g.reason}`);
}

/**
 * The verdicts' method and, with thresholds, the gates' method, each with the fewest runs it
 * needs: "Hodges-Lehmann shift …, 6 pairs (a finite two-sided interval needs at least 6 pairs)",
 * "one-sided 95% bound … (a finite bound needs at least 5 pairs)".
 */
export function methodTexts(comparison: Comparison): { verdicts: string; gates?: string } {
  const needs = (what: string, minimum: string | undefined) =>
    minimum === undefined ? '' : ` (a finite ${what} needs ${minimum})`;
  const verdicts = `${comparison.method}${needs('two-sided interval', comparison.minimum?.verdicts)}`;
  if (comparison.gates.length === 0 || comparison.gateMethod === undefined) return { verdicts };
  return { verdicts, gates: `${comparison.gateMethod}${needs('bound', comparison.minimum?.gates)}` };
}

/** A side's column header: "A (median)" when every figure is a median of runs, else just "A". */
export function sideHeader(comparison: Comparison, which: 'a' | 'b'): string {
  const label = comparison[which].label;
  return comparison.metrics.some((m) => m.geoMean !== undefined) ? label : `${label} (median)`;
}

/** What the A and B columns hold when latency was bootstrapped; undefined otherwise. */
export function sidesNote(comparison: Comparison): string | undefined {
  if (!comparison.metrics.some((m) => m.geoMean !== undefined)) return undefined;
  return `${comparison.a.label}, ${comparison.b.label}: latency percentiles are the geometric mean of a side's runs; other figures the median.`;
}

/** What the verdicts mean, in one sentence, after the method line. */
export function marginNote(comparison: Comparison): string {
  const margins = [
    ...new Set(
      comparison.metrics.map(
        (m) =>
          `±${formatChange(m.margin, m).replace(/^\+/, '')}${m.scale === 'difference' ? ` (${m.label})` : ''}`,
      ),
    ),
  ];
  return `"no change": the interval lies within ${margins.join(', ')}; "worse"/"better": it lies wholly on one side of 0.`;
}

function sideText(m: MetricComparison, which: 'a' | 'b'): string {
  // A bootstrapped latency percentile: the geometric mean of the side's runs, the figure the change is of.
  if (m.geoMean !== undefined) return figure(m.geoMean[which], m.unit);
  const s = m[which];
  if (s.median === undefined) return 'n/a';
  const values = m[which === 'a' ? 'b' : 'a'];
  const n = s.n !== values.n || s.n !== s.values.length ? ` (n=${s.n})` : '';
  return `${figure(s.median, m.unit)}${n}`;
}

/** A run's figure with its unit: "4.23 ms", "1,234.5 req/s", "0.12%", "31.2 MB", "0.85 ms/s". */
export function figure(value: number, unit: string): string {
  switch (unit) {
    case 'ms':
      return `${formatMs(value)} ms`;
    case 'req/s':
      return `${formatRps(value)} req/s`;
    case '%':
      return `${Number(value.toPrecision(3))}%`;
    default:
      return `${Number(value.toPrecision(3))} ${unit}`;
  }
}
