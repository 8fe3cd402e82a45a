/**
 * Hodges–Lehmann estimates of a shift with their distribution-free confidence intervals:
 *
 *   unpaired  a₁..aₙ, b₁..bₘ   differences bⱼ − aᵢ (n·m of them)   cut k from the rank-sum null
 *   paired    d₁..dₙ           Walsh averages (dᵢ + dⱼ)/2, i ≤ j    cut k from the signed-rank null
 *
 * The estimate is the median of those values; the interval runs from the k-th smallest to the
 * k-th largest (Hollander & Wolfe, Nonparametric Statistical Methods, §3.2 and §4.3). Callers
 * choose the scale: pass logarithms for a relative change (exp(shift) − 1), raw values for a
 * difference.
 */
import { mannWhitney, rankSumCut, type RankTest } from './stats-rank-sum.js';
import { signedRank, signedRankCut } from './stats-signed-rank.js';

/** Which bounds to give: both ends, or one end only (a one-sided bound at the given confidence). */
export type Alternative = 'two-sided' | 'lower-bound' | 'upper-bound';

export interface ShiftOptions {
  /** Confidence of the interval, 0 < confidence < 1 (default 0.95). */
  confidence?: number;
  /** Default "two-sided". "lower-bound" gives [low, +∞), "upper-bound" (−∞, high]. */
  alternative?: Alternative;
}

/** A shift estimate, its interval when one exists at the requested level, and the rank test beside it. */
export interface ShiftEstimate {
  /** The Hodges–Lehmann estimate of the shift (B − A, on the caller's scale). */
  estimate: number;
  /**
   * The interval, with its exact coverage (at least the requested confidence; the distribution is
   * discrete). Absent when the samples are too small for a finite interval at that level.
   */
  interval?: { low: number; high: number; coverage: number };
  /** The requested confidence. */
  confidence: number;
  alternative: Alternative;
  /** The rank test of "no shift", two-sided. */
  test: RankTest;
}

/**
 * The Hodges–Lehmann shift of `b` relative to `a` (median of all bⱼ − aᵢ) with the interval from
 * the exact Mann–Whitney distribution. A finite two-sided 95% interval needs at least 4 + 4 values
 * (or 3 + 5, 2 + 8); 3 + 3 and 3 + 4 never give one.
 */
export function twoSampleShift(
  a: readonly number[],
  b: readonly number[],
  options: ShiftOptions = {},
): ShiftEstimate {
  const { confidence, alternative, tail } = levels(options);
  const diffs: number[] = [];
  for (const x of a) for (const y of b) diffs.push(y - x);
  diffs.sort((p, q) => p - q);
  const cut = rankSumCut(a.length, b.length, tail);
  return shiftFrom(diffs, cut, { confidence, alternative, test: mannWhitney(a, b) });
}

/**
 * The Hodges–Lehmann centre of paired differences `d` (median of the Walsh averages) with the
 * interval from the exact signed-rank distribution. A finite two-sided 95% interval needs n ≥ 6
 * pairs; with 5, a one-sided 95% bound is finite.
 */
export function pairedShift(d: readonly number[], options: ShiftOptions = {}): ShiftEstimate {
  if (d.length === 0) throw new RangeError('pairedShift: need at least one difference');
  const { confidence, alternative, tail } = levels(options);
  const walsh: number[] = [];
  for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) walsh.push((d[i] + d[j]) / 2);
  walsh.sort((p, q) => p - q);
  const cut = signedRankCut(d.length, tail);
  return shiftFrom(walsh, cut, { confidence, alternative, test: signedRank(d) });
}

function levels(options: ShiftOptions): { confidence: number; alternative: Alternative; tail: number } {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence: expected a number between 0 and 1, got ${confidence}`);
  }
  const alternative = options.alternative ?? 'two-sided';
  const tail = alternative === 'two-sided' ? (1 - confidence) / 2 : 1 - confidence;
  // 1 − 0.9 is 0.09999999999999998: without rounding, a tail of exactly 0.05 (3 + 3 runs at 90%) is missed.
  return { confidence, alternative, tail: Math.round(tail * 1e12) / 1e12 };
}

function shiftFrom(
  sorted: number[],
  cut: { k: number; achievedTail: number },
  rest: { confidence: number; alternative: Alternative; test: RankTest },
): ShiftEstimate {
  const n = sorted.length;
  const estimate = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const base = { estimate, ...rest };
  if (cut.k === 0) return base;
  const low = rest.alternative === 'upper-bound' ? -Infinity : sorted[cut.k - 1];
  const high = rest.alternative === 'lower-bound' ? Infinity : sorted[n - cut.k];
  const missed = rest.alternative === 'two-sided' ? 2 * cut.achievedTail : cut.achievedTail;
  return { ...base, interval: { low, high, coverage: 1 - missed } };
}
