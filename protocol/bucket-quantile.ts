/**
 * A quantile from Prometheus-style cumulative histogram buckets, the way PromQL's
 * `histogram_quantile` estimates it: linear interpolation inside the bucket the rank falls in.
 */

/** One cumulative bucket: observations ≤ `le` (Infinity for "+Inf"). */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The buckets observed between two readings (`cur − prev`, matched by `le`); `prev` undefined
 * means since the start.
 */
export function bucketDelta(prev: readonly Bucket[] | undefined, cur: readonly Bucket[]): Bucket[] {
  const before = new Map((prev ?? []).map((b) => [b.le, b.count]));
  return cur.map((b) => ({ le: b.le, count: Math.max(0, b.count - (before.get(b.le) ?? 0)) }));
}

/**
 * The `q` quantile (0..1) of cumulative buckets, in the buckets' unit; undefined when they hold
 * no observation. A rank in the +Inf bucket answers the highest finite bound.
 */
export function bucketQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lowerLe;
      const inBucket = b.count - lowerCount;
      if (inBucket <= 0) return b.le;
      return lowerLe + (b.le - lowerLe) * ((rank - lowerCount) / inBucket);
    }
    lowerLe = b.le;
    lowerCount = b.count;
  }
  return lowerLe;
}
