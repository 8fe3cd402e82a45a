/**
 * Number and verdict wording shared by the terminal summary and the HTML report, so both say
 * the same thing in the same words.
 */
import type { SloCheck } from '../results/types.js';

const formatters = [0, 1, 2, 3].map(
  (decimals) => new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals }),
);

/** At most `decimals` decimals, no trailing zeros, thousands separators: (2005.84, 1) → "2,005.8". */
function fixed(value: number, decimals: 0 | 1 | 2 | 3): string {
  return formatters[decimals]!.format(value);
}

/** A count with thousands separators: 120345 → "120,345". */
export function formatCount(n: number): string {
  return fixed(n, 0);
}

/** Milliseconds to three significant figures or better, without unit: 4.231 → "4.23", 95.14 → "95.1", 1234.5 → "1,235". */
export function formatMs(ms: number): string {
  const size = Math.abs(ms);
  return fixed(ms, size >= 1000 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3);
}

/** Responses per second: 2005.84 → "2,005.8". */
export function formatRps(rps: number): string {
  return fixed(rps, 1);
}

/** A ratio as a percentage: 0.0042 → "0.42%", 0.01 → "1%", 0.000012 → "0.0012%". */
export function formatPercent(ratio: number): string {
  const pct = ratio * 100;
  const size = Math.abs(pct);
  if (size === 0) return '0%';
  if (size < 0.01) return `${Number(pct.toPrecision(2))}%`;
  return `${fixed(pct, size >= 10 ? 1 : 2)}%`;
}

/** Seconds with at most one decimal: 59.84 → "59.8 s". */
export function formatSeconds(s: number): string {
  return `${fixed(s, 1)} s`;
}

const sloLabels: Record<string, string> = { p99Ms: 'p99', p50Ms: 'p50', errorRate: 'error rate' };

function sloValue(name: string, value: number): string {
  return name === 'errorRate' ? formatPercent(value) : `${formatMs(value)} ms`;
}

/**
 * One SLO check in words, without a mark: "p99 12.3 ms ≤ 80 ms (67.7 ms headroom)",
 * "p99 95.1 ms > 80 ms (missed by 15.1 ms)", or "p99: not enough data (limit 80 ms)".
 */
export function describeSloCheck(check: SloCheck): string {
  const label = sloLabels[check.name] ?? check.name;
  const limit = sloValue(check.name, check.limit);
  if (check.reason !== undefined) return `${label}: ${check.reason} (limit ${limit})`;
  const actual = sloValue(check.name, check.actual);
  const margin = sloValue(check.name, Math.abs(check.margin));
  return check.held
    ? `${label} ${actual} ≤ ${limit} (${margin} headroom)`
    : `${label} ${actual} > ${limit} (missed by ${margin})`;
}

/** The headline over all checks: "All 2 SLOs held", "1 of 2 SLOs missed" or "No SLOs set". */
export function sloHeadline(checks: readonly SloCheck[]): string {
  if (checks.length === 0) return 'No SLOs set';
  const missed = checks.filter((check) => !check.held).length;
  if (missed === 0) return checks.length === 1 ? 'SLO held' : `All ${checks.length} SLOs held`;
  return checks.length === 1 ? 'SLO missed' : `${missed} of ${checks.length} SLOs missed`;
}

/** Error kinds in a stable reading order: status classes first, then transport failures, then the rest. */
export function errorKindsInOrder(byKind: Record<string, number>): [string, number][] {
  const order = ['4xx', '5xx', 'timeout', 'reset', 'refused', 'other'];
  const rank = (kind: string): number => (order.includes(kind) ? order.indexOf(kind) : order.length);
  return Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
