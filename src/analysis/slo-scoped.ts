/**
 * Scoped service-level objectives (docs/slo.md): each entry of the scenario's `slo:` list judged
 * over its window (the whole run, a phase, a fault window or the seconds after it) from the
 * window's exact figures the lab recorded; recovery time after a fault window; retry
 * amplification from the service's telemetry. Pure: data in, verdicts out. "Not enough data" is
 * its own verdict and never a pass.
 */
import type {
  FaultRecord,
  RecoveryRecord,
  ResultDocument,
  SeriesPoint,
  SloCheck,
  WindowFigures,
} from '../results/index.js';
import { sloEntries, type SloEntry } from '../scenario/index.js';
import { failOverSilence } from './silent-seconds.js';
import { checkSlo, notEnoughData, transportErrorKinds } from './slo.js';

/** Seconds before a fault whose per-second p99 sets the level recovery returns to (at most). */
export const recoveryBaselineS = 10;
/** Consecutive seconds back within the margin that count as recovered. */
export const recoveryHoldS = 3;
/** Default recovery margin: p99 up to 20% above its level before the fault. */
export const defaultRecoveryMargin = 0.2;
/** Error rate may be this much (absolute, 1 percentage point) above its level before the fault. */
export const recoveryErrorRateSlack = 0.01;

/** The checks of every entry of `result.scenario.slo`, each with its scope, and the recovery times measured. */
export function judgeSlos(result: ResultDocument): { checks: SloCheck[]; recovery: RecoveryRecord[] } {
  const checks: SloCheck[] = [];
  const recovery: RecoveryRecord[] = [];
  for (const entry of sloEntries(result.scenario.slo)) {
    const scope = scopeOf(entry);
    const limits = { p99Ms: entry.p99Ms, p50Ms: entry.p50Ms, errorRate: entry.errorRate };
    const hasLimits = Object.values(limits).some((v) => v !== undefined);
    if (entry.step !== undefined) {
      if (hasLimits)
        checks.push(...checkWindow(limits, stepFigures(result, entry.step)).map((c) => ({ ...c, scope })));
    } else if (scope === 'run') {
      if (hasLimits)
        checks.push(
          ...failOverSilence(checkSlo(limits, result.summary), result).map((c) => ({ ...c, scope })),
        );
    } else {
      const figures = figuresOf(result, entry);
      if (hasLimits) checks.push(...checkWindow(limits, figures).map((c) => ({ ...c, scope })));
    }
    if (entry.recoveryS !== undefined && entry.after !== undefined) {
      const fault = faultNamed(result, entry.after.slice('fault:'.length));
      const margin = entry.margin ?? defaultRecoveryMargin;
      const measured =
        fault === undefined
          ? {
              fault: entry.after.slice('fault:'.length),
              recoveryS: null,
              baselineP99Ms: 0,
              baselineErrorRate: 0,
              margin,
              reason: notEnoughData,
            }
          : { ...recoveryTime(result.series, fault.startS, fault.endS, margin), fault: fault.name ?? '' };
      recovery.push(measured);
      checks.push(recoveryCheck(entry.recoveryS, measured, result.series, fault?.endS ?? 0, scope));
    }
    if (entry.retryAmplification !== undefined) {
      const seconds = secondsOf(result, entry);
      const amp = retryAmplification(
        result.series.filter((p) => seconds === undefined || (p.t >= seconds.fromS && p.t < seconds.toS)),
      );
      checks.push(judgeValue('retryAmplification', entry.retryAmplification, amp, scope));
    }
  }
  return { checks, recovery };
}

/** "run", "phase:<name>", "fault:<name>" or "after:fault:<name>". */
export function scopeOf(entry: SloEntry): string {
  if (entry.step !== undefined) return `step:${entry.step}`;
  if (entry.during !== undefined) return entry.during;
  if (entry.after !== undefined) return `after:${entry.after}`;
  return 'run';
}

/**
 * Checks latency and error-rate limits against a window's figures, as {@link checkSlo} does the
 * whole run's; no figures (the window was not recorded) or no responses is "not enough data".
 */
export function checkWindow(
  limits: { p99Ms?: number; p50Ms?: number; errorRate?: number },
  figures: WindowFigures | undefined,
): SloCheck[] {
  const unanswered = figures?.errors.byKind.unanswered ?? 0;
  const haveLatencies = figures !== undefined && figures.requests + unanswered > 0;
  const checks: SloCheck[] = [];
  if (limits.p99Ms !== undefined) {
    checks.push(judgeValue('p99Ms', limits.p99Ms, haveLatencies ? figures.latencyMs.p99 : undefined));
  }
  if (limits.p50Ms !== undefined) {
    checks.push(judgeValue('p50Ms', limits.p50Ms, haveLatencies ? figures.latencyMs.p50 : undefined));
  }
  if (limits.errorRate !== undefined) {
    checks.push(
      judgeValue('errorRate', limits.errorRate, figures === undefined ? undefined : windowErrorRate(figures)),
    );
  }
  return checks;
}

/** Errors over attempts that concluded (responses plus no-response errors) in a window; undefined when none did. */
export function windowErrorRate(figures: Pick<WindowFigures, 'requests' | 'errors'>): number | undefined {
  let noResponse = 0;
  for (const kind of transportErrorKinds) noResponse += figures.errors.byKind[kind] ?? 0;
  const attempts = figures.requests + noResponse;
  return attempts === 0 ? undefined : figures.errors.total / attempts;
}

/**
 * Recovery after a fault window from `startS` to `endS`: the level before the fault is the
 * median of the per-second p99 over the up to {@link recoveryBaselineS} seconds before it (those
 * with responses) and their error rate; recovered is the first second t from the window's end
 * that begins {@link recoveryHoldS} seconds on end each with responses, p99 at most
 * level × (1 + margin) and error rate at most level + 1 percentage point. Windows are on whole
 * seconds as the lab records them (round(startS), round(endS)); `recoveryS` is t − round(endS),
 * or null when the run ended first. No second before the fault with a response:
 * `reason: "not enough data"`.
 */
export function recoveryTime(
  series: readonly SeriesPoint[],
  startS: number,
  endS: number,
  margin = defaultRecoveryMargin,
): Omit<RecoveryRecord, 'fault'> {
  const first = Math.round(startS);
  const before = series.filter((p) => p.t >= first - recoveryBaselineS && p.t < first && p.requests > 0);
  if (before.length === 0) {
    return { recoveryS: null, baselineP99Ms: 0, baselineErrorRate: 0, margin, reason: notEnoughData };
  }
  const baselineP99Ms = median(before.map((p) => p.latencyMs.p99));
  const baselineErrorRate = errorRateOf(before) ?? 0;
  const p99Limit = baselineP99Ms * (1 + margin);
  const errorLimit = baselineErrorRate + recoveryErrorRateSlack;
  const ok = (p: SeriesPoint | undefined): boolean =>
    p !== undefined && p.requests > 0 && p.latencyMs.p99 <= p99Limit && (errorRateOf([p]) ?? 0) <= errorLimit;
  const end = Math.round(endS);
  const byT = new Map(series.map((p) => [p.t, p]));
  const lastT = series.reduce((m, p) => Math.max(m, p.t), -1);
  for (let t = end; t + recoveryHoldS - 1 <= lastT; t++) {
    let held = true;
    for (let k = 0; k < recoveryHoldS && held; k++) held = ok(byT.get(t + k));
    if (held)
      return { recoveryS: t - end, baselineP99Ms, baselineErrorRate: round(baselineErrorRate), margin };
  }
  return { recoveryS: null, baselineP99Ms, baselineErrorRate: round(baselineErrorRate), margin };
}

/**
 * Calls made to the recommendations dependency per call the service meant to make, over the
 * seconds given: `recsCalls / (recsCalls − retries)` from the service's telemetry (every attempt,
 * over the first attempts). Undefined (not enough data) without telemetry or with no call.
 */
export function retryAmplification(points: readonly SeriesPoint[]): number | undefined {
  let calls = 0;
  let retries = 0;
  let seen = false;
  for (const p of points) {
    if (p.service?.recsCalls === undefined) continue;
    seen = true;
    calls += p.service.recsCalls;
    retries += p.service.retries ?? 0;
  }
  const firsts = calls - retries;
  return !seen || firsts <= 0 ? undefined : round(calls / firsts);
}

function recoveryCheck(
  limit: number,
  measured: Omit<RecoveryRecord, 'fault'>,
  series: readonly SeriesPoint[],
  endS: number,
  scope: string,
): SloCheck {
  if (measured.reason !== undefined) return { ...judgeValue('recoveryS', limit, undefined), scope };
  if (measured.recoveryS === null) {
    const lastT = series.reduce((m, p) => Math.max(m, p.t), -1);
    const waited = Math.max(0, lastT + 1 - Math.round(endS));
    return {
      name: 'recoveryS',
      scope,
      limit,
      actual: waited,
      held: false,
      margin: limit - waited,
      reason: `never: not recovered in the ${waited} s left of the run`,
    };
  }
  return judgeValue('recoveryS', limit, measured.recoveryS, scope);
}

function figuresOf(result: ResultDocument, entry: SloEntry): WindowFigures | undefined {
  if (entry.during?.startsWith('phase:') === true) {
    return result.phases.find((p) => p.name === entry.during?.slice('phase:'.length))?.figures;
  }
  if (entry.during?.startsWith('fault:') === true)
    return faultNamed(result, entry.during.slice('fault:'.length))?.figures;
  if (entry.after !== undefined) {
    const fault = faultNamed(result, entry.after.slice('fault:'.length));
    if (entry.for === undefined) return fault?.afterFigures;
    return fault?.afterFiguresFor?.[String(entry.for / 1000)];
  }
  return undefined;
}

/** The whole seconds an entry's scope covers; undefined for the whole run. */
function secondsOf(result: ResultDocument, entry: SloEntry): { fromS: number; toS: number } | undefined {
  if (scopeOf(entry) === 'run') return undefined;
  const figures = figuresOf(result, entry);
  return figures === undefined ? { fromS: 0, toS: 0 } : { fromS: figures.fromS, toS: figures.toS };
}

/** A flow step's figures over the whole run, as a window; undefined when the result has no such step. */
function stepFigures(result: ResultDocument, name: string): WindowFigures | undefined {
  const step = result.steps?.find((s) => s.name === name);
  if (step === undefined) return undefined;
  return {
    fromS: 0,
    toS: step.series.length,
    requests: step.requests,
    errors: step.errors,
    latencyMs: step.latencyMs,
  };
}

function faultNamed(result: ResultDocument, name: string): FaultRecord | undefined {
  return (result.faults ?? []).find((f) => f.name === name);
}

function judgeValue(name: string, limit: number, actual: number | undefined, scope?: string): SloCheck {
  const scoped = scope === undefined ? {} : { scope };
  if (actual === undefined)
    return { name, ...scoped, limit, actual: 0, held: false, margin: 0, reason: notEnoughData };
  return { name, ...scoped, limit, actual, held: actual <= limit, margin: round(limit - actual) };
}

function errorRateOf(points: readonly SeriesPoint[]): number | undefined {
  let requests = 0;
  let errors = 0;
  let noResponse = 0;
  for (const p of points) {
    requests += p.requests;
    errors += p.errors;
    for (const kind of transportErrorKinds) noResponse += p.errorsByKind[kind] ?? 0;
  }
  const attempts = requests + noResponse;
  return attempts === 0 ? undefined : errors / attempts;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9 + 0;
}
