/**
 * The open model's arrival schedule: when each request of a phase is due, on the run's clock.
 * Pure: a rate, a spacing and a seeded random source in, due times out.
 *
 * The rate r(t) ramps linearly over the phase; its integral Λ(t) counts the arrivals due by t.
 * The k-th arrival is due when Λ(t) = x_k, with
 *
 *   uniform:  x_k = k + offset               (offset in [0, 1) staggers workers sharing a rate)
 *   poisson:  x_k = x_(k-1) + Exp(1)         (a Poisson process, time-changed by Λ)
 *
 *   rate ▲        ___/         Λ(t) = a·t + (b − a)·t² / 2D   (a = from, b = to, D = duration)
 *        │    ___/             t(x) = 2x / (a + √(a² + 2·x·(b − a)/D))
 *        │___/  | | || ||||    arrivals fall closer as the rate rises
 *        └───────────────▶ t
 */
import type { Random } from '../../protocol/index.js';

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
  /** Uniform only: where in [0, 1) of an arrival's spacing the first one falls (default 0). */
  offset?: number;
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
  let k = 0;
  let x = options.arrivals === 'poisson' ? draw() : (options.offset ?? 0);
  let done = durationS <= 0;

  return {
    next(): number | undefined {
      if (done) return undefined;
      if (x >= total) {
        done = true;
        return undefined;
      }
      const t = timeOfArrival(x, a, slope);
      if (!(t < durationS)) {
        done = true;
        return undefined;
      }
      k++;
      x = options.arrivals === 'poisson' ? x + draw() : k + (options.offset ?? 0);
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
