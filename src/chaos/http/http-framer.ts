/**
 * Splits one direction of an HTTP/1.1 connection into messages, incrementally, so the proxy can
 * act per request while keep-alive and pipelined traffic stays framed. A message's head is held
 * back until it is complete (so a decision can drop it whole); body bytes pass as they come.
 * Framing follows RFC 9112 §6: `Transfer-Encoding: chunked`, else `Content-Length`, else (requests)
 * no body or (responses) a body up to the close; HEAD, 1xx, 204 and 304 responses have no body.
 * A `101 Switching Protocols` (or a 2xx answer to CONNECT) ends HTTP on the connection: the response
 * framer turns opaque after its head, and the exchange turns the request side with `passThrough()`.
 * Held head bytes are kept as they come (no re-copying) with the last 3 bytes aside for a terminator
 * split across reads, and the first line is judged once, as soon as it is complete.
 *
 *   bytes ─▶ [head: until CRLFCRLF] ─▶ piece{head} ─▶ [body: length | chunks | until close] ─▶ piece{last}
 */

/** A parsed message head. */
export interface HttpHead {
  /** Request method (upper case); empty for a response. */
  method: string;
  /** Request target without the query; empty for a response. */
  path: string;
  /** Response status; 0 for a request. */
  status: number;
}

/** A run of bytes of one message; `head` is set on the piece that starts the message. */
export interface HttpPiece {
  data: Buffer;
  head?: HttpHead;
  /** The message ends with this piece. */
  last: boolean;
}

const maxHeadBytes = 64 * 1024;
const crlfcrlf = Buffer.from('\r\n\r\n');
const requestStart = /^[A-Z]{1,20} /;
const requestLine = /^[A-Z]{1,20} \S+ HTTP\/1\.\d$/;
const statusLine = /^HTTP\/1\.\d \d{3}( |$)/;
const httpPrefix = 'HTTP/1.';
/** A status line still being received: `HTTP/1.` then maybe a digit, a space and up to 3 digits. */
const partialStatus = /^HTTP\/1\.(\d( (\d{1,3}( |$)|$)|$)|$)/;
const maxLineChars = 8192;
const digits = /^\d+$/;
const framingHeaders = /\r\n(content-length|transfer-encoding)[ \t]*:([^\r\n]*)/gi;

type BodyState =
  | { kind: 'none' }
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size'; line: string }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'trailer'; line: string }
  | { kind: 'close' };

/**
 * Frames requests (`side: 'request'`) or responses. `answering()` tells a response framer the method
 * of the request the response now starting answers (HEAD: no body; CONNECT + 2xx: a tunnel). Once the
 * bytes stop looking like HTTP/1.x, or the connection is upgraded, {@link HttpFramer.opaque} turns
 * true and every later byte passes as one opaque piece.
 */
export class HttpFramer {
  opaque = false;
  /** True once a response switched the connection to another protocol (101, or 2xx to CONNECT). */
  upgraded = false;
  private head: Buffer[] = [];
  private headBytes = 0;
  /** The last (up to 3) held bytes: where a CRLFCRLF split across reads starts. */
  private tail: Buffer = Buffer.alloc(0);
  /** Held text of the first line (leading empty lines dropped) until it is complete and judged. */
  private line = '';
  private lineJudged = false;
  private body: BodyState = { kind: 'none' };
  private inBody = false;

  constructor(
    private readonly side: 'request' | 'response',
    private readonly answering: () => string | undefined = () => undefined,
  ) {}

  /** Stops framing (the other side switched protocols): returns the held bytes; later ones pass as they are. */
  passThrough(): Buffer {
    this.opaque = true;
    const held = Buffer.concat(this.head);
    this.resetHeld();
    return held;
  }

  /** Splits `data` into pieces; bytes of an incomplete head are kept until the rest arrives. */
  feed(data: Buffer): HttpPiece[] {
    if (this.opaque) return [{ data, last: false }];
    const pieces: HttpPiece[] = [];
    let offset = 0;
    while (offset < data.length) {
      if (this.inBody) {
        offset = this.bodyStep(data, offset, pieces);
        continue;
      }
      const start = offset;
      const end = this.findHeadEnd(data, offset);
      if (end < 0) {
        const chunk = data.subarray(start);
        this.hold(chunk);
        if (this.headBytes > maxHeadBytes || !this.plausible(chunk)) return this.giveUp(pieces);
        return pieces;
      }
      // Most heads arrive whole in one read: no copy then.
      const bytes =
        this.head.length === 0
          ? data.subarray(start, end)
          : Buffer.concat([...this.head, data.subarray(start, end)]);
      this.resetHeld();
      const head = this.parseHead(bytes);
      if (head === undefined) return this.giveUp(pieces, bytes, data.subarray(end));
      offset = end;
      const done = this.body.kind === 'none';
      pieces.push({ data: bytes, head, last: done });
      this.inBody = !done;
      if (this.upgraded) {
        // The rest is the new protocol's: it passes as it is.
        this.opaque = true;
        if (offset < data.length) pieces.push({ data: data.subarray(offset), last: false });
        return pieces;
      }
    }
    return pieces;
  }

  private hold(chunk: Buffer): void {
    this.head.push(chunk);
    this.headBytes += chunk.length;
    const tail = chunk.length >= 3 ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = tail.subarray(Math.max(0, tail.length - 3));
  }

  private resetHeld(): void {
    this.head = [];
    this.headBytes = 0;
    this.tail = Buffer.alloc(0);
    this.line = '';
    this.lineJudged = false;
  }

  /** Index just past the CRLFCRLF ending the head, or -1; handles a terminator split across chunks. */
  private findHeadEnd(data: Buffer, offset: number): number {
    if (this.headBytes > 0) {
      // The terminator may straddle the previous chunk: search the last 3 held bytes + 3 new ones.
      const probe = Buffer.concat([this.tail, data.subarray(offset, offset + 3)]);
      const at = probe.indexOf(crlfcrlf);
      if (at >= 0) return offset + (at + 4 - this.tail.length);
    }
    const at = data.indexOf(crlfcrlf, offset);
    return at < 0 ? -1 : at + 4;
  }

  /**
   * Whether the held bytes, `chunk` being the latest, can still start an HTTP/1.x message: the
   * first line is judged once when complete; until then only its new text is looked at.
   */
  private plausible(chunk: Buffer): boolean {
    if (this.lineJudged) return true;
    const before = this.line.length;
    this.line += chunk.toString('latin1', 0, Math.min(chunk.length, maxLineChars + 2));
    let from = Math.max(0, before - 1);
    if (this.line.charCodeAt(0) === 13) {
      // Empty lines before a start line are tolerated (RFC 9112 §2.2), as parseHead does.
      const trimmed = this.line.replace(/^(\r\n)+/, '');
      if (trimmed !== this.line) from = 0;
      this.line = trimmed;
    }
    const eol = this.line.indexOf('\r\n', from);
    if (eol >= 0) {
      const first = this.line.slice(0, eol);
      this.lineJudged = true;
      this.line = '';
      return (this.side === 'request' ? requestLine : statusLine).test(first);
    }
    const held = this.line;
    if (held.length >= maxLineChars) return false;
    if (this.side === 'response') {
      return held.length < httpPrefix.length ? httpPrefix.startsWith(held) : partialStatus.test(held);
    }
    return /^[A-Z]{0,20}$/.test(held) || requestStart.test(held);
  }

  private giveUp(pieces: HttpPiece[], ...rest: Buffer[]): HttpPiece[] {
    this.opaque = true;
    const held = Buffer.concat([...this.head, ...rest]);
    this.resetHeld();
    if (held.length > 0) pieces.push({ data: held, last: false });
    return pieces;
  }

  private parseHead(bytes: Buffer): HttpHead | undefined {
    // Tolerate empty lines before a request line (RFC 9112 §2.2).
    const text = bytes.toString('latin1').replace(/^(\r\n)+/, '');
    const eol = text.indexOf('\r\n');
    const first = text.slice(0, eol < 0 ? text.length : eol).split(' ');
    let head: HttpHead;
    if (this.side === 'request') {
      const [method = '', target = '', version = ''] = first;
      if (!requestStart.test(`${method} `) || !version.startsWith('HTTP/1.')) return undefined;
      head = { method, path: target.split('?')[0] ?? target, status: 0 };
    } else {
      const [version = '', code = ''] = first;
      const status = Number(code);
      if (!version.startsWith('HTTP/1.') || !Number.isInteger(status)) return undefined;
      head = { method: '', path: '', status };
    }
    let length: number | undefined;
    let chunked = false;
    // Only the two framing headers matter; one regex pass finds them (cheaper than every line).
    for (const [, name = '', value = ''] of text.matchAll(framingHeaders)) {
      if (name.length === 14) {
        // Digits only, as Node's parser wants (no 1e1, 0x5, +3, empty, lists); duplicates must agree.
        const digitsOnly = value.trim();
        const parsed = digits.test(digitsOnly) ? Number(digitsOnly) : NaN;
        if (!Number.isSafeInteger(parsed) || (length !== undefined && length !== parsed)) return undefined;
        length = parsed;
      } else chunked = /(^|,)\s*chunked\s*$/i.test(value.trim());
    }
    const method = this.side === 'response' ? this.answering() : undefined;
    this.upgraded =
      this.side === 'response' &&
      (head.status === 101 || (method === 'CONNECT' && head.status >= 200 && head.status < 300));
    const noBody =
      this.side === 'response' &&
      (head.status < 200 || head.status === 204 || head.status === 304 || method === 'HEAD' || this.upgraded);
    if (noBody) this.body = { kind: 'none' };
    else if (chunked) this.body = { kind: 'chunk-size', line: '' };
    else if (length !== undefined)
      this.body = length === 0 ? { kind: 'none' } : { kind: 'length', left: length };
    else this.body = this.side === 'request' ? { kind: 'none' } : { kind: 'close' };
    return head;
  }

  /** Consumes body bytes from `offset`; returns the new offset. */
  private bodyStep(data: Buffer, offset: number, pieces: HttpPiece[]): number {
    let at = offset;
    const finish = (last: boolean): void => {
      if (at > offset) pieces.push({ data: data.subarray(offset, at), last });
      else if (last) pieces.push({ data: Buffer.alloc(0), last });
      if (last) {
        this.inBody = false;
        this.body = { kind: 'none' };
      }
    };
    while (at < data.length) {
      const body = this.body;
      if (body.kind === 'close') {
        at = data.length;
      } else if (body.kind === 'length' || body.kind === 'chunk-data') {
        const take = Math.min(body.left, data.length - at);
        at += take;
        body.left -= take;
        if (body.left === 0) {
          if (body.kind === 'length') {
            finish(true);
            return at;
          }
          this.body = { kind: 'chunk-size', line: '' };
        }
      } else if (body.kind === 'chunk-size' || body.kind === 'trailer') {
        const nl = data.indexOf(10, at);
        const end = nl < 0 ? data.length : nl + 1;
        body.line += data.subarray(at, end).toString('latin1');
        at = end;
        if (nl < 0) {
          if (body.line.length > 4096) return this.bodyGiveUp(data, offset, pieces);
          continue;
        }
        const line = body.line.trim();
        if (body.kind === 'trailer') {
          if (line === '') {
            finish(true);
            return at;
          }
          body.line = '';
          continue;
        }
        const size = parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isInteger(size) || size < 0) return this.bodyGiveUp(data, offset, pieces);
        // A chunk's data is followed by CRLF; the last (size 0) chunk by trailers and an empty line.
        this.body = size === 0 ? { kind: 'trailer', line: '' } : { kind: 'chunk-data', left: size + 2 };
      } else {
        break;
      }
    }
    finish(false);
    return at;
  }

  private bodyGiveUp(data: Buffer, offset: number, pieces: HttpPiece[]): number {
    this.opaque = true;
    pieces.push({ data: data.subarray(offset), last: false });
    return data.length;
  }
}
