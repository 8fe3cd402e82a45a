/**
 * One step of a capacity search, judged from its analysed result: did every SLO hold over the
 * steady window, and did the generator, not the service, limit the step. Pure.
 */
import { generatorLimits, type GeneratorVerdict, type ResultDocument } from '../results/index.js';
import type { SloEntry } from '../scenario/index.js';
import { windowErrorRate } from './slo-scoped.js';

/** What one step of the search measured, as the step controller weighs it. */
export interface CapacityStep {
  /** Arrival rate tried, requests/s. */
  rate: number;
  /** Whether every SLO held over the step's measured (post-warm-up) window. */
  held: boolean;
  /** Set when the generator could not keep the planned rate (saturated, or dropped requests): its reason. */
  generatorLimit?: string;
}

/** How a capacity search ended. */
export type CapacityOutcome =
  | { kind: 'capacity'; capacity: number; missedAt: number; precision: number }
  | { kind: 'generator-limit'; rate: number; reason: string; highestHeld?: number }
  | { kind: 'never-held'; lowestTried: number }
  | { kind: 'held-to-max'; maxRate: number }
  | { kind: 'step-budget'; highestHeld?: number; lowestMissed?: number };

/** The phase of a step whose figures the verdict is judged on (the warm-up before it is not). */
export const steadyPhaseName = 'steady';

/** One point of the curve: one step, its planned rate and what its steady window measured. */
export interface CapacityPoint extends CapacityStep {
  /** 1 for the first step. */
  step: number;
  /** Responses per second over the steady window. */
  achievedRps: number;
  /** Latency over the steady window, ms (open model: from the due time). */
  p50Ms: number;
  p99Ms: number;
  /** Errors over the steady window, and their share of the attempts that concluded (0..1). */
  errors: number;
  errorRate: number;
  /** Requests sent, and requests due but never sent (the in-flight bound), over the whole step. */
  sent: number;
  dropped: number;
  /** The generator's verdict on itself for the step. */
  generator?: GeneratorVerdict;
  /** The SLO checks that missed, one phrase each, e.g. "p99Ms 123 > 100 (phase:steady)". */
  missed: string[];
  /** The step's folder, relative to the search's folder. */
  dir?: string;
  /**
   * True when the step missed while the generator called its host busy, so its rate was run once
   * more and the next step stands in for it; the search counts only that one.
   */
  rerun?: boolean;
}

/**
 * The verdict of one step from its analysed result: held when the run finished and every SLO
 * check held. The generator limited a step when it was saturated during the steady window (see
 * {@link steadySaturation}), or dropped requests at the in-flight bound; such a step is never held. It counts as missed only when the service's
 * own figures missed: an error-rate check failed, or latency timed from the actual send (which the
 * generator's lateness does not inflate) was over a p99 or p50 limit. Otherwise the step is the
 * generator's limit, not the service's.
 */
export function judgeCapacityStep(
  result: ResultDocument,
  rate: number,
  step: number,
): Omit<CapacityPoint, 'dir'> {
  const steady = result.phases.find((p) => p.name === steadyPhaseName);
  const figures = steady?.figures;
  // The figures cover whole seconds; the last one may be cut short by the step's end.
  const seconds =
    figures === undefined || steady === undefined ? 0 : Math.min(figures.toS, steady.endS) - figures.fromS;
  const s = result.summary;
  const missed = result.slo
    .filter((c) => !c.held)
    .map((c) => `${c.name} ${round(c.actual)} > ${c.limit}${c.scope === undefined ? '' : ` (${c.scope})`}`);
  if (result.slo.length === 0) missed.push('no SLO was judged');
  if (result.interrupted) missed.push('the step did not run to its end');
  let held = missed.length === 0 && result.failure === undefined;
  let generatorLimit: string | undefined;
  const g = s.generator;
  const limits: string[] = [];
  const saturation = steadySaturation(result, figures?.fromS ?? 0, figures?.toS ?? 0);
  if (saturation !== undefined) limits.push(`the generator was saturated: ${saturation}`);
  if (s.dropped > 0) {
    limits.push(
      `the generator's in-flight bound (load.maxInFlight) held back ${s.dropped} requests until they were dropped`,
    );
  }
  if (limits.length > 0) {
    if (serviceMissed(result)) missed.push(...limits);
    else generatorLimit = limits.join('; ');
    held = false;
  }
  return {
    step,
    rate,
    held,
    ...(generatorLimit === undefined ? {} : { generatorLimit }),
    achievedRps: seconds > 0 && figures !== undefined ? round(figures.requests / seconds) : 0,
    p50Ms: figures?.latencyMs.p50 ?? 0,
    p99Ms: figures?.latencyMs.p99 ?? 0,
    errors: figures?.errors.total ?? 0,
    errorRate: round((figures === undefined ? undefined : windowErrorRate(figures)) ?? 0, 6),
    sent: s.sent,
    dropped: s.dropped,
    ...(g?.verdict === undefined ? {} : { generator: g.verdict }),
    missed,
  };
}

/**
 * Why the generator was saturated while it mattered, or undefined: its event loop over the limit
 * in enough of the steady window's seconds (a busy first second, while the worker starts and opens
 * its connections, is what the warm-up is for), or fewer requests sent than were due and not
 * dropped, over the whole step. The limits are those of the generator's own check
 * (docs/measurement-edges.md).
 */
function steadySaturation(result: ResultDocument, fromS: number, toS: number): string | undefined {
  const elus = result.series
    .filter((p) => p.t >= fromS && p.t < toS && p.generator !== undefined)
    .map((p) => p.generator?.elu ?? 0);
  const over = elus.filter((elu) => elu > generatorLimits.eluSaturated);
  if (over.length > 0 && over.length >= elus.length * generatorLimits.eluSaturatedSecondsShare) {
    return `its event loop was over ${generatorLimits.eluSaturated * 100}% busy in ${over.length} of the ${elus.length} steady seconds (worst ${round(Math.max(...over) * 100, 1)}%)`;
  }
  const behind = result.summary.generator?.behindPlan ?? 0;
  const owed = result.summary.sent + behind;
  if (behind > 0 && result.summary.sent < owed * generatorLimits.sentShareMin) {
    return `it sent ${result.summary.sent} of the ${owed} requests due and not dropped`;
  }
  return undefined;
}

/**
 * Whether the service's own figures missed the SLO: an error-rate check failed, or its latency
 * timed from the actual send (summary.serviceTimeMs) was over a p99Ms or p50Ms limit.
 */
function serviceMissed(result: ResultDocument): boolean {
  if (result.slo.some((c) => c.name === 'errorRate' && !c.held && c.reason === undefined)) return true;
  const sent = result.summary.serviceTimeMs;
  if (sent === undefined) return false;
  const entries = sloEntries(result);
  const over = (key: 'p99Ms' | 'p50Ms', actual: number) =>
    entries.some((e) => e[key] !== undefined && actual > (e[key] as number));
  return over('p99Ms', sent.p99) || over('p50Ms', sent.p50);
}

function sloEntries(result: ResultDocument): SloEntry[] {
  const slo = result.scenario.slo;
  if (slo === undefined) return [];
  return Array.isArray(slo) ? slo : [slo];
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
