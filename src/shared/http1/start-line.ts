/**
 * The first line of a message (RFC 9112 §3, §4): a request line `METHOD target HTTP/1.x` or a
 * status line `HTTP/1.x nnn reason`. Judged whole once it is complete, and, while it is still
 * arriving, by whether what came so far can start one (so bytes that are not HTTP are refused at
 * once, not when a head-size limit or a timeout runs out).
 */
import { FramingError, quote } from './framing-error.js';

/** Which direction a framer reads: requests (client to server) or responses. */
export type MessageSide = 'request' | 'response';

/** A parsed first line. */
export interface StartLine {
  /** Request method; empty for a response. */
  method: string;
  /** Request target; empty for a response. */
  target: string;
  /** Response status; 0 for a request. */
  status: number;
  /** The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1 (and 2–9, read as 1.1). */
  minor: number;
}

/** Longest first line accepted (characters). */
export const maxStartLine = 8192;

const requestLine = /^([A-Z]{1,20}) (\S+) HTTP\/1\.(\d)$/;
const requestPrefix = /^([A-Z]{0,20}$|[A-Z]{1,20} )/;
/** A status line still arriving: `HTTP/1.`, then maybe a digit, a space and up to 3 digits. */
const statusPrefix = /^HTTP\/1\.(\d( (\d{1,3}( |$)|$)|$)|$)/;

/** Parses a complete first line (without its CRLF); throws a {@link FramingError} (`start-line`). */
export function parseStartLine(line: string, side: MessageSide): StartLine {
  if (side === 'response') {
    const status = statusOf(line);
    if (status < 0) throw new FramingError('start-line', `not an HTTP/1.x status line: ${quote(line)}`);
    return { method: '', target: '', status, minor: line.charCodeAt(7) - 48 };
  }
  const m = requestLine.exec(line);
  if (m === null) throw new FramingError('start-line', `not an HTTP/1.x request line: ${quote(line)}`);
  return { method: m[1] as string, target: m[2] as string, status: 0, minor: Number(m[3]) };
}

/**
 * The status of the status line `HTTP/1.d nnn[ reason]` starting at `at` in `text` (ended by CR
 * or the end of `text`), or -1 when it is not one or the status lies outside 100–599.
 */
export function statusOf(text: string, at = 0): number {
  if (
    !text.startsWith('HTTP/1.', at) ||
    !isDigit(text.charCodeAt(at + 7)) ||
    text.charCodeAt(at + 8) !== 32
  ) {
    return -1;
  }
  const a = text.charCodeAt(at + 9) - 48;
  const b = text.charCodeAt(at + 10) - 48;
  const c = text.charCodeAt(at + 11) - 48;
  if (!(a >= 1 && a <= 5 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return -1;
  // A space and the reason phrase, or the end of the line (a missing reason is tolerated).
  const after = text.charCodeAt(at + 12);
  if (after !== 32 && after !== 13 && at + 12 !== text.length) return -1;
  return a * 100 + b * 10 + c;
}

/** Whether `held`, the start of a first line not yet complete, can still begin a valid one. */
export function canStartLine(held: string, side: MessageSide): boolean {
  if (held.length >= maxStartLine) return false;
  if (side === 'request') return requestPrefix.test(held);
  return held.length < 7 ? 'HTTP/1.'.startsWith(held) : statusPrefix.test(held);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
