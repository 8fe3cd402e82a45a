/**
 * Splits one direction of an HTTP/1.1 connection into messages, incrementally, so the proxy can
 * act per request while keep-alive and pipelined traffic stays framed. A message's head is held
 * back until it is complete (so a decision can drop it whole); body bytes pass as they come.
 * Framing follows RFC 9112 §6: `Transfer-Encoding: chunked`, else `Content-Length`, else (requests)
 * no body or (responses) a body up to the close; HEAD, 1xx, 204 and 304 responses have no body.
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
const framingHeaders = /\r\n(content-length|transfer-encoding)[ \t]*:([^\r\n]*)/gi;

type BodyState =
  | { kind: 'none' }
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size'; line: string }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'trailer'; line: string }
  | { kind: 'close' };

/**
 * Frames requests (`side: 'request'`) or responses. `bodylessResponse()` tells a response framer
 * whether the response now starting answers a HEAD request. Once the bytes stop looking like
 * HTTP/1.x, {@link HttpFramer.opaque} turns true and every later byte passes as one opaque piece.
 */
export class HttpFramer {
  opaque = false;
  private head: Buffer[] = [];
  private headBytes = 0;
  private body: BodyState = { kind: 'none' };
  private inBody = false;

  constructor(
    private readonly side: 'request' | 'response',
    private readonly answersHead: () => boolean = () => false,
  ) {}

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
        this.head.push(data.subarray(start));
        this.headBytes += data.length - start;
        if (this.headBytes > maxHeadBytes || !this.plausible()) return this.giveUp(pieces);
        return pieces;
      }
      // Most heads arrive whole in one read: no copy then.
      const bytes =
        this.head.length === 0
          ? data.subarray(start, end)
          : Buffer.concat([...this.head, data.subarray(start, end)]);
      this.head = [];
      this.headBytes = 0;
      const head = this.parseHead(bytes);
      if (head === undefined) return this.giveUp(pieces, bytes, data.subarray(end));
      offset = end;
      const done = this.body.kind === 'none';
      pieces.push({ data: bytes, head, last: done });
      this.inBody = !done;
    }
    return pieces;
  }

  /** Index just past the CRLFCRLF ending the head, or -1; handles a terminator split across chunks. */
  private findHeadEnd(data: Buffer, offset: number): number {
    if (this.headBytes > 0) {
      // The terminator may straddle the previous chunk: search in the last 3 held bytes too.
      const tail = Buffer.concat([...this.head, data.subarray(offset, offset + 3)]);
      const at = tail.indexOf(crlfcrlf, Math.max(0, this.headBytes - 3));
      if (at >= 0) return offset + (at + 4 - this.headBytes);
    }
    const at = data.indexOf(crlfcrlf, offset);
    return at < 0 ? -1 : at + 4;
  }

  /** Whether held request bytes can still be the start of an HTTP/1.x request. */
  private plausible(): boolean {
    if (this.side === 'response') return true;
    const held = Buffer.concat(this.head)
      .toString('latin1')
      .replace(/^(\r\n)+/, '');
    const eol = held.indexOf('\r\n');
    if (eol >= 0) return requestLine.test(held.slice(0, eol));
    return held.length < 8192 && (/^[A-Z]{0,20}$/.test(held) || requestStart.test(held));
  }

  private giveUp(pieces: HttpPiece[], ...rest: Buffer[]): HttpPiece[] {
    this.opaque = true;
    const held = Buffer.concat([...this.head, ...rest]);
    this.head = [];
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
      if (name.length === 14) length = Number(value.trim());
      else chunked = /(^|,)\s*chunked\s*$/i.test(value.trim());
    }
    if (length !== undefined && !(Number.isInteger(length) && length >= 0)) return undefined;
    const noBody =
      this.side === 'response' &&
      (head.status < 200 || head.status === 204 || head.status === 304 || this.answersHead());
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
