/**
 * Finds where a message head ends in a byte stream that arrives in reads of any size, and refuses
 * bytes that cannot become a head as early as it can: a first line that cannot start an HTTP/1.x
 * message is refused as soon as it shows, a bare LF as soon as it arrives, and a head that passes
 * the size limit without its CRLF CRLF as soon as it passes it. Held bytes are kept as they came
 * (no re-copying per read), so a head that drips in byte by byte costs linear time.
 *
 *   read ─▶ head whole in this read and nothing held? ─yes─▶ end (the common case: one indexOf)
 *                 │ no
 *                 ▼
 *           skip empty lines before the first line ─▶ CRLF CRLF across held tail + read?
 *                 │ no: hold the read; judge the first line so far; any bare LF? over the limit?
 */
import { FramingError, quote } from './framing-error.js';
import { canStartLine, maxStartLine, parseStartLine, type MessageSide } from './start-line.js';

/** Largest head accepted by default (bytes, leading empty lines and the CRLF CRLF included). */
export const maxHeadBytes = 64 * 1024;

const crlfcrlf = Buffer.from('\r\n\r\n');
const empty = Buffer.alloc(0);

/** Collects one head at a time; `find` then `take` (or `release` to give the bytes up). */
export class HeadReader {
  #held: Buffer[] = [];
  #heldBytes = 0;
  /** True once a byte of the first line was seen (empty lines before it are only skipped). */
  #started = false;
  /** An empty line's CR ended the last read: its LF must come next. */
  #pendingCr = false;
  /** The last (up to 3) held bytes of the head proper: where a CRLF CRLF split across reads starts. */
  #tail: Buffer = empty;
  /** The first line as held so far, until it is complete and judged. */
  #line = '';
  #judged = false;

  constructor(
    readonly side: MessageSide,
    readonly limit = maxHeadBytes,
  ) {}

  /** Bytes held: a head begun and not yet ended. */
  get held(): number {
    return this.#heldBytes;
  }

  /**
   * Looks for the end of the head that `data` continues from `offset`. Returns the index just past
   * its CRLF CRLF, or -1 after holding `data[offset..]` until more arrives. Throws a
   * {@link FramingError} (`start-line`, `line-ending`, `head-too-large`) without holding `data`;
   * {@link release} then gives back what was held before.
   */
  find(data: Buffer, offset: number): number {
    if (this.#heldBytes === 0 && data[offset] !== 13) {
      const at = data.indexOf(crlfcrlf, offset);
      if (at >= 0) {
        if (at + 4 - offset > this.limit) throw this.#tooLarge();
        return at + 4;
      }
    }
    return this.#findSlow(data, offset);
  }

  /** The whole head, `data[offset, end)` after what was held; the reader is then empty. */
  take(data: Buffer, offset: number, end: number): Buffer {
    if (this.#heldBytes === 0) {
      // Empty lines before the first line may have been skipped within this read.
      if (this.#started) this.#reset();
      return data.subarray(offset, end);
    }
    const head = Buffer.concat([...this.#held, data.subarray(offset, end)]);
    this.#reset();
    return head;
  }

  /** The whole head as latin1 text, like {@link take} (cheaper when only the text is wanted). */
  text(data: Buffer, offset: number, end: number): string {
    if (this.#heldBytes === 0) {
      if (this.#started) this.#reset();
      return data.toString('latin1', offset, end);
    }
    return this.take(data, offset, end).toString('latin1');
  }

  /** Gives back the held bytes; the reader is then empty. */
  release(): Buffer {
    const held = this.#held.length === 1 ? (this.#held[0] as Buffer) : Buffer.concat(this.#held);
    this.#reset();
    return held;
  }

  #findSlow(data: Buffer, offset: number): number {
    let from = offset;
    if (!this.#started) {
      // Empty lines before the first line are skipped (RFC 9112 §2.2), a CRLF at a time.
      for (; from < data.length; from++) {
        const c = data[from];
        if (this.#pendingCr) {
          if (c !== 10)
            throw new FramingError('line-ending', 'a CR before the first line is not followed by LF');
          this.#pendingCr = false;
        } else if (c === 13) this.#pendingCr = true;
        else if (c === 10) throw bareLf();
        else {
          this.#started = true;
          break;
        }
      }
    }
    let end = -1;
    if (this.#started) {
      if (this.#tail.length > 0) {
        const probe = Buffer.concat([this.#tail, data.subarray(from, from + 3)]);
        const at = probe.indexOf(crlfcrlf);
        if (at >= 0) end = from + at + 4 - this.#tail.length;
      }
      if (end < 0) {
        const at = data.indexOf(crlfcrlf, from);
        if (at >= 0) end = at + 4;
      }
    }
    if (this.#heldBytes + (end < 0 ? data.length : end) - offset > this.limit) throw this.#tooLarge();
    if (end >= 0) return end;
    if (this.#started) this.#judge(data, from);
    this.#hold(data, offset, from);
    return -1;
  }

  /** Refuses a bare LF among the new bytes, and a first line that cannot be an HTTP/1.x one. */
  #judge(data: Buffer, from: number): void {
    for (let lf = data.indexOf(10, from); lf >= 0; lf = data.indexOf(10, lf + 1)) {
      const before = lf > from ? data[lf - 1] : this.#tail[this.#tail.length - 1];
      if (before !== 13) throw bareLf();
    }
    if (this.#judged) return;
    const had = this.#line.length;
    this.#line += data.toString('latin1', from, Math.min(data.length, from + maxStartLine + 2 - had));
    const eol = this.#line.indexOf('\r\n', Math.max(0, had - 1));
    if (eol >= 0) {
      parseStartLine(this.#line.slice(0, eol), this.side);
      this.#judged = true;
      this.#line = '';
      return;
    }
    // A CR at the very end may be the first half of the line's CRLF.
    const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
    if (!canStartLine(line, this.side)) {
      const what = this.side === 'response' ? 'an HTTP/1.x status line' : 'an HTTP/1.x request line';
      throw new FramingError('start-line', `${quote(line)} cannot start ${what}`);
    }
  }

  #hold(data: Buffer, offset: number, from: number): void {
    const chunk = data.subarray(offset);
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (!this.#started) return;
    const proper = data.subarray(from);
    const tail = proper.length >= 3 ? proper : Buffer.concat([this.#tail, proper]);
    this.#tail = tail.subarray(Math.max(0, tail.length - 3));
  }

  #reset(): void {
    this.#held = [];
    this.#heldBytes = 0;
    this.#started = false;
    this.#pendingCr = false;
    this.#tail = empty;
    this.#line = '';
    this.#judged = false;
  }

  #tooLarge(): FramingError {
    return new FramingError('head-too-large', `no end of head within ${this.limit} bytes`);
  }
}

function bareLf(): FramingError {
  return new FramingError('line-ending', 'a line of the head ends with a bare LF, not CRLF');
}
