/**
 * The capacity search's step controller: which arrival rate to try next, given the steps so far.
 * Pure, so the strategy is tested without a network and can be swapped (Nighthawk's adaptive
 * load controller keeps its step controller a plug-in for the same reason).
 *
 *   start ─▶ held? ─yes─▶ rate × growth ─▶ … first miss ─▶ bisect [highest held, lowest missed]
 *              │no                                         until (missed − held) / held ≤ precision
 *              └▶ rate ÷ growth … down to minRate (never held)
 *   any step limited by the generator (saturated or dropping) ends the search: that is the
 *   generator's limit, not the service's capacity.
 */

import type { CapacityOutcome, CapacityStep } from '../analysis/index.js';

export type { CapacityOutcome, CapacityStep };

export interface CapacitySearchOptions {
  /** First rate tried, requests/s. */
  startRate: number;
  /** Factor between rates while growing (and shrinking when the first step misses); default 2. */
  growth?: number;
  /** Relative precision at which bisection stops: (lowest missed − highest held) / highest held; default 0.05. */
  precision?: number;
  /** Highest rate tried; the search stops there when the SLO still holds. Default 1,000,000/s. */
  maxRate?: number;
  /** Lowest rate tried when the SLO misses from the start; default 1/s. */
  minRate?: number;
  /** Most steps the search may take; default 24. */
  maxSteps?: number;
}

export type CapacityDecision = { next: number } | { done: CapacityOutcome };

/** The next rate to try after `steps` (in the order they ran), or how the search ended. */
export function nextCapacityStep(
  steps: readonly CapacityStep[],
  options: CapacitySearchOptions,
): CapacityDecision {
  const growth = options.growth ?? 2;
  const precision = options.precision ?? 0.05;
  const maxRate = options.maxRate ?? 1_000_000;
  const minRate = options.minRate ?? 1;
  const maxSteps = options.maxSteps ?? 24;
  const held = steps.filter((s) => s.held && s.generatorLimit === undefined).map((s) => s.rate);
  const missed = steps.filter((s) => !s.held && s.generatorLimit === undefined).map((s) => s.rate);
  const highestHeld = held.length > 0 ? Math.max(...held) : undefined;
  const lowestMissed = missed.length > 0 ? Math.min(...missed) : undefined;

  const limited = steps.find((s) => s.generatorLimit !== undefined);
  if (limited !== undefined) {
    return {
      done: {
        kind: 'generator-limit',
        rate: limited.rate,
        reason: limited.generatorLimit as string,
        ...(highestHeld === undefined ? {} : { highestHeld }),
      },
    };
  }
  if (steps.length === 0) return { next: Math.min(options.startRate, maxRate) };
  if (steps.length >= maxSteps) {
    return {
      done: {
        kind: 'step-budget',
        ...(highestHeld === undefined ? {} : { highestHeld }),
        ...(lowestMissed === undefined ? {} : { lowestMissed }),
      },
    };
  }
  if (lowestMissed === undefined) {
    // Every step held: grow, up to the ceiling.
    const top = highestHeld as number;
    if (top >= maxRate) return { done: { kind: 'held-to-max', maxRate } };
    return { next: Math.min(top * growth, maxRate) };
  }
  if (highestHeld === undefined) {
    // Missed from the start: shrink until something holds.
    if (lowestMissed <= minRate) return { done: { kind: 'never-held', lowestTried: lowestMissed } };
    return { next: Math.max(lowestMissed / growth, minRate) };
  }
  if (highestHeld > lowestMissed) {
    // Noise: a higher rate held after a lower one missed. Bisect below the lowest miss.
    const below = held.filter((r) => r < lowestMissed);
    const lo = below.length > 0 ? Math.max(...below) : lowestMissed / growth;
    return bisect(lo, lowestMissed, precision);
  }
  return bisect(highestHeld, lowestMissed, precision);
}

function bisect(lo: number, hi: number, precision: number): CapacityDecision {
  if ((hi - lo) / lo <= precision) {
    return { done: { kind: 'capacity', capacity: lo, missedAt: hi, precision: (hi - lo) / lo } };
  }
  return { next: (lo + hi) / 2 };
}
