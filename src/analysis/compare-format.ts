/**
 * Changes and intervals in words, the same in the terminal table, Markdown, JUnit and the reasons
 * the verdicts give: "+12.6%", "[+4.5%, +21.8%]", "+0.35pp".
 */

/** How a change is expressed: a relative change (a fraction) or a difference in a unit. */
export interface ChangeScale {
  scale: 'relative' | 'difference';
  /** The metric's unit; "%" means the difference is in percentage points. */
  unit: string;
}

/** A signed change: relative 0.1256 → "+12.6%"; difference in "%" 0.35 → "+0.35pp"; in "ms" −0.8 → "-0.8 ms". */
export function formatChange(value: number, scale: ChangeScale): string {
  if (value === Infinity) return '+∞';
  if (value === -Infinity) return '-∞';
  if (scale.scale === 'relative') return `${signed(value * 100)}%`;
  return scale.unit === '%' ? `${signed(value)}pp` : `${signed(value)} ${scale.unit}`;
}

/** An interval: "[+4.5%, +21.8%]". */
export function formatInterval(low: number, high: number, scale: ChangeScale): string {
  return `[${formatChange(low, scale)}, ${formatChange(high, scale)}]`;
}

/** A magnitude with sign, to three significant figures below 100 and whole numbers above: 12.56 → "+12.6", −0.012 → "-0.012", 0 → "0". */
function signed(x: number): string {
  if (x === 0) return '0';
  const size = Math.abs(x);
  const digits =
    size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(size)));
  const text = Number(x.toFixed(digits)).toString();
  return x > 0 ? `+${text}` : text;
}
