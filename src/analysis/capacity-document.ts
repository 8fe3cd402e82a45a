/**
 * A capacity search's document (`capacity.json`, schema "loadlab/capacity@1"): the capacity, the
 * precision reached, the knee of the latency-versus-throughput curve and the curve itself, from
 * the judged steps and how the search ended. Pure.
 *
 *   step result ─judgeCapacityStep─▶ curve point ─┐
 *   step result ─judgeCapacityStep─▶ curve point ─┼─capacityDocument(outcome)─▶ capacity.json
 *                                                 ┘        (knee: Kneedle over achieved rps × p99)
 */
import type { SloEntry } from '../scenario/index.js';
import type { CapacityOutcome, CapacityPoint } from './capacity-step.js';
import { kneeOf } from './knee.js';

export const capacitySchemaId = 'loadlab/capacity@1';

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
  const clean = steps.filter((p) => p.generatorLimit === undefined && p.rerun !== true);
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
    method: `Open-model steps of ${settings.stepS} s at one constant arrival rate each, the first ${settings.warmupS} s a warm-up left out of the verdict; a step holds when every SLO holds over its steady window. The rate grows ×${settings.growth} from ${round(settings.startRate)}/s until a step misses, then bisects between the highest rate held and the lowest missed until they are within ${round(settings.precision * 100, 2)}% of each other. A step the generator limited (saturated during its steady window, or dropping requests at its in-flight bound) is never held; it ends the search as the limit of the generator, not of the service, unless the service's own figures (errors, or latency timed from the actual send) already missed the SLO, which makes it a miss. A step that missed while the generator called its host busy is run once more at the same rate, and the second verdict stands. Knee: ${kneeMethod}.`,
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
    `${busy.length} of ${steps.length} steps (${busy.join(', ')}) ran on a busy host: the generator's sends were late because of other work on the machine, and their latencies include that delay; run the search again on a quieter host to measure the service alone.`,
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

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
