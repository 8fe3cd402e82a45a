/** Small statistics the findings rules share. Pure functions over plain numbers. */

/** The median of `values`; undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Pearson's correlation of paired values, −1..1; undefined with < 3 pairs or no variance. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | undefined {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return undefined;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Seconds as ranges for a sentence: [3,4,5,9] → "3–5 s, 9 s" (at most `max` ranges, then "…"). */
export function describeSeconds(seconds: readonly number[], max = 4): string {
  const ranges: [number, number][] = [];
  for (const t of [...seconds].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && t === last[1] + 1) last[1] = t;
    else ranges.push([t, t]);
  }
  const text = ranges.slice(0, max).map(([a, b]) => (a === b ? `${a} s` : `${a}–${b} s`));
  return text.join(', ') + (ranges.length > max ? ', …' : '');
}
