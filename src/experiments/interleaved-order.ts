/**
 * Randomized multiple interleaved trials (Abedi and Brecht, ICPE 2017): when two variants cannot
 * run at once, run them one after the other in rounds, each round in a seeded random order
 * (A B, B A, B A, A B, ...), so slow drift of the host favours neither.
 */
import type { Random } from '../../protocol/index.js';

/** One trial of an interleaved experiment: which variant, and which of its repeats (1-based). */
export interface Trial<V extends string = string> {
  variant: V;
  repeat: number;
  round: number;
}

/**
 * The order of `repeats` rounds over `variants`: every round runs each variant once, in an order
 * drawn from `random` (Fisher–Yates). The same seed gives the same order.
 */
export function interleavedOrder<V extends string>(
  variants: readonly V[],
  repeats: number,
  random: Random,
): Trial<V>[] {
  const trials: Trial<V>[] = [];
  for (let round = 1; round <= repeats; round++) {
    const order = [...variants];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [order[i], order[j]] = [order[j] as V, order[i] as V];
    }
    for (const variant of order) trials.push({ variant, repeat: round, round });
  }
  return trials;
}
