/**
 * Numbers in words for people: the terminal summary, the HTML report and the findings' sentences
 * all say the same value the same way.
 */
const formatters = [0, 1, 2, 3].map(
  (decimals) => new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals }),
);

/** At most `decimals` decimals, no trailing zeros, thousands separators: (2005.84, 1) → "2,005.8". */
function fixed(value: number, decimals: 0 | 1 | 2 | 3): string {
  return formatters[decimals]!.format(value);
}

/** A count with thousands separators: 120345 → "120,345". */
export function formatCount(n: number): string {
  return fixed(n, 0);
}

/** Milliseconds to three significant figures or better, without unit: 4.231 → "4.23", 95.14 → "95.1", 1234.5 → "1,235". */
export function formatMs(ms: number): string {
  const size = Math.abs(ms);
  return fixed(ms, size >= 1000 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3);
}

/** Responses per second: 2005.84 → "2,005.8". */
export function formatRps(rps: number): string {
  return fixed(rps, 1);
}

/** A ratio as a percentage: 0.0042 → "0.42%", 0.01 → "1%", 0.000012 → "0.0012%". */
export function formatPercent(ratio: number): string {
  const pct = ratio * 100;
  const size = Math.abs(pct);
  if (size === 0) return '0%';
  if (size < 0.01) return `${Number(pct.toPrecision(2))}%`;
  return `${fixed(pct, size >= 10 ? 1 : 2)}%`;
}

/** Seconds with at most one decimal: 59.84 → "59.8 s". */
export function formatSeconds(s: number): string {
  return `${fixed(s, 1)} s`;
}
