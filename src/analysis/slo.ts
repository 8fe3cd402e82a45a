/**
 * Service-level objectives checked against a run's summary. Pure: data in, verdicts out.
 * "Not enough data" is its own verdict and never a pass.
 */
import { sloEntries, type Slo, type SloEntry } from '../scenario/index.js';
import { noResponseKinds, type SloCheck, type Summary } from '../results/index.js';

/**
 * Error kinds that mean no response arrived; every other kind (e.g. "5xx") is a response with an
 * unexpected status. "unanswered" (still without an answer when the load stopped waiting) is a
 * failed attempt like a timeout: an objective cannot hold over requests that were never answered.
 */
export const transportErrorKinds: readonly string[] = noResponseKinds;

/** The reason given by a check that had nothing to judge. */
export const notEnoughData = 'not enough data';

/**
 * Errors over attempts that concluded: `errors.total / (requests + transport errors)`, where
 * `requests` counts responses of any status (so HTTP-status errors are already in it) and
 * transport errors are the kinds in {@link transportErrorKinds} (timeout, reset, refused, framing,
 * other, unanswered), which produced no response. Undefined when nothing concluded.
 */
export function errorRate(summary: Summary): number | undefined {
  const attempts = summary.requests + transportErrors(summary);
  return attempts === 0 ? undefined : summary.errors.total / attempts;
}

/** Requests that ended without a response (timeouts, resets, refused connections, other failures, unanswered). */
export function transportErrors(summary: Summary): number {
  let total = 0;
  for (const kind of transportErrorKinds) total += summary.errors.byKind[kind] ?? 0;
  return total;
}

/**
 * Checks each objective set in `slo` against `summary`, in the order p99Ms, p50Ms, errorRate.
 * Latency limits are in milliseconds and compared with `summary.latencyMs`; every limit holds when
 * the actual value is at or under it. `margin` is `limit − actual`. A latency check with no
 * responses, or an error-rate check with no concluded request, is not held and carries
 * `reason: "not enough data"` (with `actual` and `margin` 0). No `slo` gives no checks.
 */
export function checkSlo(slo: Slo | readonly SloEntry[] | undefined, summary: Summary): SloCheck[] {
  if (slo === undefined) return [];
  // The list form: the whole-run entries' limits (docs/slo.md; scoped ones need the result: judgeSlos).
  if (Array.isArray(slo)) {
    return sloEntries(slo as SloEntry[])
      .filter((e) => e.during === undefined && e.after === undefined && e.step === undefined)
      .flatMap((e) => checkSlo({ p99Ms: e.p99Ms, p50Ms: e.p50Ms, errorRate: e.errorRate }, summary));
  }
  const limits = slo as Slo;
  const checks: SloCheck[] = [];
  // Unanswered requests are in the latencies at their age: a run of nothing else still has some.
  const haveLatencies = summary.requests + (summary.unanswered ?? 0) > 0;
  if (limits.p99Ms !== undefined) {
    checks.push(judge('p99Ms', limits.p99Ms, haveLatencies ? summary.latencyMs.p99 : undefined));
  }
  if (limits.p50Ms !== undefined) {
    checks.push(judge('p50Ms', limits.p50Ms, haveLatencies ? summary.latencyMs.p50 : undefined));
  }
  if (limits.errorRate !== undefined) {
    checks.push(judge('errorRate', limits.errorRate, errorRate(summary)));
  }
  return checks;
}

/** True when every check held (an empty list holds). */
export function allHeld(checks: readonly SloCheck[]): boolean {
  return checks.every((check) => check.held);
}

function judge(name: string, limit: number, actual: number | undefined): SloCheck {
  if (actual === undefined) {
    return { name, limit, actual: 0, held: false, margin: 0, reason: notEnoughData };
  }
  return { name, limit, actual, held: actual <= limit, margin: withoutFloatNoise(limit - actual) };
}

/** 80 − 12.3 is 67.7, not 67.69999999999999: trim binary noise far below any reported resolution. */
function withoutFloatNoise(value: number): number {
  return Math.round(value * 1e9) / 1e9 + 0; // + 0 turns -0 into 0
}
