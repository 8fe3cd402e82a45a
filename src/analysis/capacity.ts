/**
 * A capacity search's figures, judged: each step's verdict from its result (did every SLO hold
 * over the steady window; did the generator, not the service, limit it), and the search's
 * document (`capacity.json`, schema "loadlab/capacity@1") with the capacity, the precision
 * reached, the knee of the latency-versus-throughput curve and the curve itself. Pure.
 *
 *   step result ─judgeCapacityStep─▶ curve point ─┐
 *   step result ─judgeCapacityStep─▶ curve point ─┼─capacityDocument(outcome)─▶ capacity.json
 *                                                 ┘        (knee: Kneedle over achieved rps × p99)
 */
import { generatorLimits, type GeneratorVerdict, type ResultDocument } from '../results/index.js';
import type { SloEntry } from '../scenario/index.js';
import { kneeOf } from './knee.js';
import { windowErrorRate } from './slo-scoped.js';

export const capacitySchemaId = 'loadlab/capacity@1';

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

/** How the search was set up, as the document records it. */
export interface CapacitySettings {
  startRate: number;
  /** Precision asked: bisection stops when (lowest missed − highest held) / highest held is at most this. */
  precision: number;
  /** Factor between rates while growing. */
  growth: number;
  maxRate: number;
  maxSteps: number;
  /** Each step's whole length and its warm-up, seconds. */
  stepS: number;
  warmupS: number;
}

/** How the search ended, in one word; the CLI maps it to its exit code. */
export type CapacityVerdict = CapacityOutcome['kind'] | 'interrupted' | 'failed';

/** `capacity.json`. */
export interface CapacityDocument {
  schema: typeof capacitySchemaId;
  scenario: string;
  startedAt: string;
  endedAt: string;
  /** "reference service", or the URL of the service driven. */
  target: string;
  verdict: CapacityVerdict;
  /** The highest rate at which every SLO held, requests/s; null when the search did not find one. */
  capacity: number | null;
  /** True when `capacity` is only a lower bound (every step held, up to `maxRate`). */
  atLeast?: boolean;
  /** Precision reached: (lowest missed − capacity) / capacity; null without both. */
  precision: number | null;
  /** The bracket the search ended with. */
  highestHeld: number | null;
  lowestMissed: number | null;
  /** The answer in one or two sentences. */
  headline: string;
  /** What weakens the answer, one sentence each (steps run on a busy host); empty when nothing does. */
  cautions: string[];
  /** How the answer was reached. */
  method: string;
  settings: CapacitySettings;
  /** The SLO each step was judged against (scoped to the steady window). */
  slo: SloEntry[];
  /** The knee of p99 against achieved throughput over the steps the generator did not limit. */
  knee: {
    method: string;
    step: number;
    rate: number;
    achievedRps: number;
    p99Ms: number;
    strength: number;
  } | null;
  /** Each step in the order it ran. */
  steps: CapacityPoint[];
  /** Set when a step failed (a process died, the target went away): its code and message. */
  failure?: { code: string; message: string };
}

/** Kneedle, as the document names it. */
export const kneeMethod =
  'Kneedle (Satopää et al. 2011): p99 against achieved throughput, both normalised to [0, 1]; the knee is the point farthest below the chord from the lowest to the highest throughput';

/** Builds the document from the steps and how the search ended (`outcome` undefined: it was cut short). */
export function capacityDocument(input: {
  scenario: string;
  startedAt: string;
  endedAt: string;
  target: string;
  settings: CapacitySettings;
  slo: SloEntry[];
  steps: CapacityPoint[];
  outcome?: CapacityOutcome;
  failure?: { code: string; message: string };
  interrupted?: boolean;
}): CapacityDocument {
  const { steps, outcome, settings } = input;
  const clean = steps.filter((p) => p.generatorLimit === undefined);
  const heldRates = clean.filter((p) => p.held).map((p) => p.rate);
  const missedRates = clean.filter((p) => !p.held).map((p) => p.rate);
  const highestHeld = heldRates.length > 0 ? Math.max(...heldRates) : null;
  const lowestMissed = missedRates.length > 0 ? Math.min(...missedRates) : null;
  const verdict: CapacityVerdict =
    input.failure !== undefined ? 'failed' : outcome === undefined ? 'interrupted' : outcome.kind;
  let capacity: number | null = null;
  let precision: number | null = null;
  let atLeast = false;
  if (verdict === 'capacity' && outcome?.kind === 'capacity') {
    capacity = outcome.capacity;
    precision = round(outcome.precision, 4);
  } else if (verdict === 'held-to-max' && highestHeld !== null) {
    capacity = highestHeld;
    atLeast = true;
  }
  const knee = kneeOf(clean.map((p) => ({ rps: p.achievedRps, latencyMs: p.p99Ms })));
  const kneePoint = knee === undefined ? undefined : clean[knee.index];
  return {
    schema: capacitySchemaId,
    scenario: input.scenario,
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    target: input.target,
    verdict,
    capacity: capacity === null ? null : round(capacity),
    ...(atLeast ? { atLeast } : {}),
    precision,
    highestHeld: highestHeld === null ? null : round(highestHeld),
    lowestMissed: lowestMissed === null ? null : round(lowestMissed),
    headline: headlineOf(verdict, outcome, { capacity, precision, highestHeld, lowestMissed }, input),
    cautions: cautionsOf(steps),
    method: `Open-model steps of ${settings.stepS} s at one constant arrival rate each, the first ${settings.warmupS} s a warm-up left out of the verdict; a step holds when every SLO holds over its steady window. The rate grows ×${settings.growth} from ${round(settings.startRate)}/s until a step misses, then bisects between the highest rate held and the lowest missed until they are within ${round(settings.precision * 100, 2)}% of each other. A step the generator limited (saturated during its steady window, or dropping requests at its in-flight bound) is never held; it ends the search as the limit of the generator, not of the service, unless the service's own figures (errors, or latency timed from the actual send) already missed the SLO, which makes it a miss. Knee: ${kneeMethod}.`,
    settings,
    slo: input.slo,
    knee:
      knee === undefined || kneePoint === undefined
        ? null
        : {
            method: 'kneedle',
            step: kneePoint.step,
            rate: round(kneePoint.rate),
            achievedRps: kneePoint.achievedRps,
            p99Ms: kneePoint.p99Ms,
            strength: round(knee.strength, 3),
          },
    steps,
    ...(input.failure === undefined ? {} : { failure: input.failure }),
  };
}

function cautionsOf(steps: readonly CapacityPoint[]): string[] {
  const busy = steps.filter((p) => p.generator === 'busy-host').map((p) => p.step);
  if (busy.length === 0) return [];
  return [
    `${busy.length} of ${steps.length} steps (${busy.join(', ')}) ran on a busy host: the generator's sends were late because of other work on the machine, and their latencies include that delay; rerun on a quieter host to measure the service alone.`,
  ];
}

function headlineOf(
  verdict: CapacityVerdict,
  outcome: CapacityOutcome | undefined,
  found: {
    capacity: number | null;
    precision: number | null;
    highestHeld: number | null;
    lowestMissed: number | null;
  },
  input: { steps: CapacityPoint[]; settings: CapacitySettings; failure?: { message: string } },
): string {
  const rps = (n: number | null | undefined) => (n === null || n === undefined ? '?' : `${round(n, 1)}/s`);
  const bracket =
    found.highestHeld === null
      ? 'no rate held'
      : `the highest rate held was ${rps(found.highestHeld)}` +
        (found.lowestMissed === null ? '' : `, the lowest missed ${rps(found.lowestMissed)}`);
  switch (verdict) {
    case 'capacity':
      return `Capacity ${rps(found.capacity)}: every SLO held there and missed at ${rps(outcome?.kind === 'capacity' ? outcome.missedAt : null)} (precision ${round((found.precision ?? 0) * 100, 2)}%, ${input.steps.length} steps).`;
    case 'held-to-max':
      return `Capacity at least ${rps(found.capacity)}: every SLO held up to the highest rate allowed (${rps(input.settings.maxRate)}).`;
    case 'never-held':
      return `No capacity: the SLO missed at every rate tried, down to ${rps(outcome?.kind === 'never-held' ? outcome.lowestTried : null)}.`;
    case 'generator-limit':
      return `Limit of this generator, not of the service, at ${rps(outcome?.kind === 'generator-limit' ? outcome.rate : null)}: ${outcome?.kind === 'generator-limit' ? outcome.reason : ''}. No capacity is claimed; ${bracket}.`;
    case 'step-budget':
      return `Inconclusive: the step budget (${input.settings.maxSteps} steps) ran out before the precision was reached; ${bracket}.`;
    case 'interrupted':
      return `Interrupted after ${input.steps.length} step${input.steps.length === 1 ? '' : 's'}; ${bracket}.`;
    case 'failed':
      return `A step failed: ${input.failure?.message ?? 'unknown failure'}; ${bracket}.`;
  }
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
