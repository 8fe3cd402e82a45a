/**
 * The Wilcoxon signed-rank test for paired differences: the exact null distribution of T+, the
 * test, and the order-statistic cut used by the paired Hodges–Lehmann interval. It assumes the
 * differences are independent and symmetric about their centre; pairs must be independent of one
 * another (whole repeats, not the seconds of one run, which are autocorrelated).
 */
import { midRanks, type RankTest } from './stats-rank-sum.js';
import { normalCdf, normalQuantile } from './stats-normal.js';

/** At most this many differences: the null distribution of T+ is counted exactly; more use the normal approximation. */
export const exactSignedRankLimit = 50;

const nullCache = new Map<number, Float64Array>();

/**
 * How many of the 2ⁿ equally likely sign patterns give each T+ = 0..n(n+1)/2 (T+ is the sum of the
 * ranks of the positive differences): the subset sums of {1..n}, counted one rank at a time.
 * Additions only; exact in doubles up to n = 53. Memoised.
 */
export function signedRankNull(n: number): Float64Array {
  const hit = nullCache.get(n);
  if (hit !== undefined) return hit;
  let counts = Float64Array.of(1);
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(counts.length + r);
    for (let t = 0; t < counts.length; t++) {
      next[t] += counts[t];
      next[t + r] += counts[t];
    }
    counts = next;
  }
  if (nullCache.size > 64) nullCache.clear();
  nullCache.set(n, counts);
  return counts;
}

/**
 * The two-sided Wilcoxon signed-rank test of the differences `d` against a centre of 0. Zeros are
 * dropped (Wilcoxon's rule, scipy's default); the statistic is T+ of the rest. Exact when no
 * zeros or tied magnitudes and at most {@link exactSignedRankLimit} differences remain; otherwise
 * the normal approximation with tie correction and a continuity correction of ½.
 */
export function signedRank(d: readonly number[]): RankTest {
  const nonZero = d.filter((x) => x !== 0);
  const n = nonZero.length;
  if (n === 0) return { statistic: 0, pValue: 1, method: 'normal' };
  const { ranks, tieTerm } = midRanks(nonZero.map(Math.abs));
  let tPlus = 0;
  nonZero.forEach((x, i) => {
    if (x > 0) tPlus += ranks[i];
  });
  const mean = (n * (n + 1)) / 4;
  if (tieTerm === 0 && n === d.length && n <= exactSignedRankLimit) {
    const counts = signedRankNull(n);
    const low = Math.min(tPlus, 2 * mean - tPlus);
    let total = 0;
    let below = 0;
    for (let t = 0; t < counts.length; t++) {
      total += counts[t];
      if (t <= low) below += counts[t];
    }
    return { statistic: tPlus, pValue: Math.min(1, (2 * below) / total), method: 'exact' };
  }
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (variance === 0) return { statistic: tPlus, pValue: 1, method: 'normal' };
  const z = Math.max(0, Math.abs(tPlus - mean) - 0.5) / Math.sqrt(variance);
  return { statistic: tPlus, pValue: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}

/**
 * The number k of order statistics to cut from each end of the n(n+1)/2 sorted Walsh averages for
 * an interval whose each end misses with probability at most `tail` (`achievedTail`, exactly): the
 * largest k with P(T+ ≤ k−1) ≤ tail. k = 0
 * means no finite interval at that level for n pairs (n < 6 at 95% two-sided).
 */
export function signedRankCut(n: number, tail: number): { k: number; achievedTail: number } {
  if (n > exactSignedRankLimit) {
    const mean = (n * (n + 1)) / 4;
    const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
    const k = Math.max(0, Math.floor(mean - normalQuantile(1 - tail) * sd));
    return { k, achievedTail: k === 0 ? 0 : normalCdf((k - 0.5 - mean) / sd) };
  }
  const counts = signedRankNull(n);
  const total = 2 ** n;
  let k = 0;
  let cumulative = 0;
  while (k < counts.length && (cumulative + counts[k]) / total <= tail) {
    cumulative += counts[k];
    k++;
  }
  return { k, achievedTail: cumulative / total };
}
