/**
 * The Wilcoxon–Mann–Whitney rank-sum test for two independent samples: the exact null
 * distribution of U, the test itself, and the order-statistic cut used by the Hodges–Lehmann
 * interval. Distribution-free: it assumes only that each sample's values are independent draws.
 */
import { normalCdf, normalQuantile } from './stats-normal.js';

/** Both samples at most this large: the null distribution of U is counted exactly; larger ones use the normal approximation. */
export const exactRankSumLimit = 50;

const nullCache = new Map<string, Float64Array>();

/**
 * How many of the C(n+m, n) equally likely arrangements give each U = 0..n·m (U counts the pairs
 * with the first sample's value above the second's), by the recurrence of Mann and Whitney (1947):
 * f(n, m, u) = f(n−1, m, u−m) + f(n, m−1, u), one row of n at a time. Additions only, so the
 * counts are exact integers as long as they fit in a double (n + m ≤ 56), and accurate to double
 * precision beyond. Memoised.
 */
export function rankSumNull(n: number, m: number): Float64Array {
  const key = `${n},${m}`;
  const hit = nullCache.get(key);
  if (hit !== undefined) return hit;
  // row[j] is f(i, j, ·) for the current i; f(0, j) = f(i, 0) = [1].
  let row: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= n; i++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const out = new Float64Array(i * j + 1);
      const up = row[j]; // f(i−1, j): shifted by j
      const left = next[j - 1]; // f(i, j−1)
      for (let u = 0; u < up.length; u++) out[u + j] += up[u];
      for (let u = 0; u < left.length; u++) out[u] += left[u];
      next.push(out);
    }
    row = next;
  }
  const counts = row[m];
  if (nullCache.size > 64) nullCache.clear();
  nullCache.set(key, counts);
  return counts;
}

/** P(U ≤ u) under the null hypothesis, from the exact counts. */
export function rankSumCdf(n: number, m: number, u: number): number {
  const counts = rankSumNull(n, m);
  let total = 0;
  let below = 0;
  for (let v = 0; v < counts.length; v++) {
    total += counts[v];
    if (v <= u) below += counts[v];
  }
  return below / total;
}

/** The outcome of a rank test: its statistic, two-sided p-value and how that was computed. */
export interface RankTest {
  /** U of the second sample over the first (pairs b > a, ties counting ½) or T+ for the signed-rank test. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** "exact" from the counted null distribution (no ties); "normal" with tie and continuity correction. */
  method: 'exact' | 'normal';
}

/**
 * The two-sided Mann–Whitney U test of `b` against `a`. U counts pairs with b_j > a_i (ties ½),
 * the statistic scipy's `mannwhitneyu(b, a)` reports. Exact when there are no ties and both
 * samples have at most {@link exactRankSumLimit} values; otherwise the normal approximation with
 * tie correction and a continuity correction of ½.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): RankTest {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError('mannWhitney: both samples need at least one value');
  const { ranks, tieTerm } = midRanks([...b, ...a]);
  let rankSumB = 0;
  for (let j = 0; j < m; j++) rankSumB += ranks[j];
  const u = rankSumB - (m * (m + 1)) / 2;
  const nm = n * m;
  if (tieTerm === 0 && n <= exactRankSumLimit && m <= exactRankSumLimit) {
    const tail = rankSumCdf(n, m, Math.min(u, nm - u));
    return { statistic: u, pValue: Math.min(1, 2 * tail), method: 'exact' };
  }
  const total = n + m;
  const variance = (nm / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance === 0) return { statistic: u, pValue: 1, method: 'normal' };
  const z = Math.max(0, Math.abs(u - nm / 2) - 0.5) / Math.sqrt(variance);
  return { statistic: u, pValue: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}

/**
 * The number k of order statistics to cut from each end of the n·m sorted pairwise differences
 * for an interval whose each end misses with probability at most `tail` (`achievedTail`, exactly):
 * the largest k with P(U ≤ k−1) ≤ tail.
 * k = 0 means no finite interval exists at that level for these sample sizes. Exact up to
 * {@link exactRankSumLimit}; beyond, from the normal approximation.
 */
export function rankSumCut(n: number, m: number, tail: number): { k: number; achievedTail: number } {
  if (n > exactRankSumLimit || m > exactRankSumLimit) {
    const sd = Math.sqrt((n * m * (n + m + 1)) / 12);
    const k = Math.max(0, Math.floor((n * m) / 2 - normalQuantile(1 - tail) * sd));
    return { k, achievedTail: k === 0 ? 0 : normalCdf((k - 0.5 - (n * m) / 2) / sd) };
  }
  const counts = rankSumNull(n, m);
  let total = 0;
  for (const c of counts) total += c;
  let k = 0;
  let cumulative = 0;
  while (k < counts.length && (cumulative + counts[k]) / total <= tail) {
    cumulative += counts[k];
    k++;
  }
  return { k, achievedTail: cumulative / total };
}

/**
 * Mid-ranks (1-based, ties share the mean of their ranks) of `values`, in input order, and the
 * tie term Σ(t³ − t) over groups of t tied values.
 */
export function midRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((_, i) => i).sort((x, y) => values[x] - values[y]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j + 2) / 2;
    for (let r = i; r <= j; r++) ranks[order[r]] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}
