/**
 * Content-Length values (RFC 9110 §8.6): one or more decimal digits, nothing else: no sign, no
 * exponent, no hex. A line may carry a comma list and a head may repeat the field; identical values
 * are read as one, values that disagree make the message invalid.
 */

/** A Content-Length that is missing. */
export const noLength = -1;
/** A Content-Length that is present but invalid. */
export const badLength = -2;

const maxSafe = Number.MAX_SAFE_INTEGER;

/**
 * Reads the value of one Content-Length line, `text` from `from` to `to` (exclusive), on top of
 * `previous` (the value of earlier lines, or {@link noLength}). Returns the length, or
 * {@link badLength} when this line is not a list of plain decimals or disagrees with itself or
 * `previous`.
 */
export function readContentLength(text: string, from: number, to: number, previous: number): number {
  if (previous === badLength) return badLength;
  let value = previous;
  let i = from;
  for (;;) {
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    const digitsFrom = i;
    let n = 0;
    for (; i < to; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (n > (maxSafe - d) / 10) return badLength;
      n = n * 10 + d;
    }
    if (i === digitsFrom) return badLength;
    if (value !== noLength && value !== n) return badLength;
    value = n;
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (i === to) return value;
    if (text.charCodeAt(i) !== 44 /* , */) return badLength;
    i++;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}
