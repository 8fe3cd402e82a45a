/**
 * Number and verdict wording shared by the terminal summary and the HTML report, so both say
 * the same thing in the same words.
 */
import type { RecoveryRecord, SloCheck } from '../results/index.js';
import { formatMs, formatPercent } from '../shared/index.js';

export { formatCount, formatMs, formatPercent, formatRps, formatSeconds } from '../shared/index.js';

const sloLabels: Record<string, string> = {
  p99Ms: 'p99',
  p50Ms: 'p50',
  errorRate: 'error rate',
  recoveryS: 'recovery',
  retryAmplification: 'retry amplification',
};

function sloValue(name: string, value: number): string {
  if (name === 'errorRate') return formatPercent(value);
  if (name === 'recoveryS') return `${value} s`;
  if (name === 'retryAmplification') return `${Math.round(value * 100) / 100}×`;
  return `${formatMs(value)} ms`;
}

/** "during fault:db-latency: ", "after fault:db-latency: ", or nothing for the whole run. */
function scopePrefix(check: SloCheck): string {
  if (check.scope === undefined || check.scope === 'run') return '';
  if (check.scope.startsWith('step:')) return `step ${check.scope.slice('step:'.length)}: `;
  return check.scope.startsWith('after:')
    ? `after ${check.scope.slice('after:'.length)}: `
    : `during ${check.scope}: `;
}

/**
 * A recovery time in words: "db-latency: recovered 2 s after the window (p99 within 20% of
 * 23.9 ms, error rate within +1 pp of 0%)", "db-latency: never recovered (...)".
 */
export function describeRecovery(r: RecoveryRecord): string {
  if (r.reason !== undefined) return `${r.fault}: ${r.reason} before the fault`;
  const level = `p99 within ${formatPercent(r.margin)} of ${formatMs(r.baselineP99Ms)} ms, error rate within +1 pp of ${formatPercent(r.baselineErrorRate)}`;
  return r.recoveryS === null
    ? `${r.fault}: never recovered before the run ended (${level})`
    : `${r.fault}: recovered ${r.recoveryS} s after the window (${level})`;
}

/**
 * One SLO check in words, without a mark: "p99 12.3 ms ≤ 80 ms (67.7 ms headroom)",
 * "p99 95.1 ms > 80 ms (missed by 15.1 ms)", or "p99: not enough data (limit 80 ms)".
 */
export function describeSloCheck(check: SloCheck): string {
  const label = scopePrefix(check) + (sloLabels[check.name] ?? check.name);
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
  const order = [
    '4xx',
    '5xx',
    'timeout',
    'reset',
    'refused',
    'framing',
    'dns',
    'connect',
    'tls-expired',
    'tls-hostname',
    'tls-untrusted',
    'tls-alpn',
    'tls',
    'h2-reset',
    'h2-goaway',
    'other',
    'unanswered',
  ];
  const rank = (kind: string): number => (order.includes(kind) ? order.indexOf(kind) : order.length);
  return Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
