/**
 * The open model's arrival schedule: when each request of a phase is due, on the run's clock.
 * Pure: a rate, a spacing and a seeded random source in, due times out.
 *
 * The rate r(t) ramps linearly over the phase; its integral Λ(t) counts the arrivals due by t.
 * The k-th arrival is due when Λ(t) = x_k, with
 *
 *   uniform:  x_k = k                        (evenly spaced)
 *   poisson:  x_k = x_(k-1) + Exp(1)         (a Poisson process, time-changed by Λ)
 *
 * The rate is the whole run's; a worker (of one shard) sends the stripe of arrivals k with
 * k mod lanes = lane, so the workers of every shard together send each arrival once, when the
 * whole schedule has it due. For Poisson arrivals every lane draws the whole sequence from the
 * same seed and keeps its stripe.
 *
 *   rate ▲        ___/         Λ(t) = a·t + (b − a)·t² / 2D   (a = from, b = to, D = duration)
 *        │    ___/             t(x) = 2x / (a + √(a² + 2·x·(b − a)/D))
 *        │___/  | | || ||||    arrivals fall closer as the rate rises
 *        └───────────────▶ t
 */
import type { Random } from '../../protocol/index.js';
import { ownsArrival } from '../scenario/index.js';

/** A phase as the schedule needs it: times on the run's clock (ms), rate in requests/s. */
export interface SchedulePhase {
  startMs: number;
  endMs: number;
  rate: { from: number; to: number };
}

export interface ArrivalScheduleOptions {
  /** `uniform` (evenly spaced) or `poisson` (exponential gaps, drawn from `random`). */
  arrivals: 'uniform' | 'poisson';
  /** Needed for `poisson`. */
  random?: Random;
  /** This worker's stripe: arrivals k with k mod `lanes` = `lane` (default 0 of 1: all of them). */
  lane?: number;
  lanes?: number;
}

/** Successive due times of one phase. */
export interface ArrivalSchedule {
  /** The next due time (ms on the run's clock), or undefined once the phase has no more arrivals. */
  next(): number | undefined;
}

/** The arrivals of one phase, in order. */
export function arrivalSchedule(phase: SchedulePhase, options: ArrivalScheduleOptions): ArrivalSchedule {
  const durationS = (phase.endMs - phase.startMs) / 1000;
  const a = phase.rate.from;
  const slope = durationS > 0 ? (phase.rate.to - a) / durationS : 0;
  const total = ((a + phase.rate.to) / 2) * durationS;
  const { random } = options;
  if (options.arrivals === 'poisson' && random === undefined) {
    throw new Error('a Poisson arrival schedule needs a random source');
  }
  const draw = (): number => -Math.log(1 - (random as Random).next());
  const lane = options.lane ?? 0;
  const lanes = options.lanes ?? 1;
  const poisson = options.arrivals === 'poisson';
  // k: the number of the arrival at x, on the whole schedule.
  let k = poisson ? 0 : lane;
  let x = poisson ? draw() : lane;
  let done = durationS <= 0;
  const finish = (): undefined => {
    // Every lane draws the same values whatever its stripe: the next phase starts in step.
    if (poisson) while (x < total) x += draw();
    done = true;
    return undefined;
  };

  return {
    next(): number | undefined {
      if (done) return undefined;
      if (poisson) {
        while (x < total && !ownsArrival(k, lane, lanes)) {
          k++;
          x += draw();
        }
      }
      if (x >= total) return finish();
      const t = timeOfArrival(x, a, slope);
      if (!(t < durationS)) return finish();
      if (poisson) {
        k++;
        x += draw();
      } else {
        k += lanes;
        x = k;
      }
      return phase.startMs + t * 1000;
    },
  };
}

/** Seconds into the phase at which Λ(t) = x, for rate a + slope·t. */
function timeOfArrival(x: number, a: number, slope: number): number {
  if (x === 0) return 0;
  if (slope === 0) return x / a;
  const disc = a * a + 2 * slope * x;
  // A falling ramp whose integral never reaches x (cannot happen below the phase's total, kept for safety).
  if (disc < 0) return Infinity;
  return (2 * x) / (a + Math.sqrt(disc));
}
