/**
 * The fault proxy's framer: a thin adapter over the shared HTTP/1.1 framing core that splits one
 * direction of a connection into messages, incrementally, so the proxy can act per request while
 * keep-alive and pipelined traffic stays framed. A message's head is held back until it is
 * complete (so a decision can drop it whole); body bytes pass as they come.
 *
 * Its own policy on top of the core: when the bytes break a framing rule (not HTTP/1.x, a head
 * over 64 KiB, a malformed length or chunk), it gives up framing and passes every byte on as it
 * is ({@link HttpFramer.opaque}, with the reason in {@link HttpFramer.failure}); a
 * `101 Switching Protocols` (or a 2xx answer to CONNECT) ends HTTP on the connection: the response
 * framer turns opaque after its head, and the exchange turns the request side with `passThrough()`.
 *
 *   bytes ─▶ HeadReader ─▶ piece{head} ─▶ BodyReader: length | chunks | until close ─▶ piece{last}
 *              │ refused: every byte from here passes whole (opaque)
 */
import {
  BodyReader,
  bodyKind,
  FramingError,
  HeadReader,
  parseHead,
  type MessageSide,
} from '../../shared/index.js';

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

/**
 * Frames requests (`side: 'request'`) or responses. `answering(index)` tells a response framer the
 * method of the request that its `index`-th final response (0 first) answers (HEAD: no body;
 * CONNECT + 2xx: a tunnel). Once the bytes stop looking like HTTP/1.x, or the connection is
 * upgraded, {@link HttpFramer.opaque} turns true and every later byte passes as one opaque piece.
 */
export class HttpFramer {
  opaque = false;
  /** True once a response switched the connection to another protocol (101, or 2xx to CONNECT). */
  upgraded = false;
  /** The framing rule the bytes broke, once the framer gave up on them. */
  failure: FramingError | undefined;
  private readonly heads: HeadReader;
  private readonly body = new BodyReader();
  private inBody = false;
  /** Final responses whose head was read: the index of the next one. */
  private finals = 0;

  constructor(
    private readonly side: MessageSide,
    private readonly answering: (index: number) => string | undefined = () => undefined,
  ) {
    this.heads = new HeadReader(side);
  }

  /** Stops framing (the other side switched protocols): returns the held bytes; later ones pass as they are. */
  passThrough(): Buffer {
    this.opaque = true;
    return this.heads.release();
  }

  /** Splits `data` into pieces; bytes of an incomplete head are kept until the rest arrives. */
  feed(data: Buffer): HttpPiece[] {
    if (this.opaque) return [{ data, last: false }];
    const pieces: HttpPiece[] = [];
    let offset = 0;
    while (offset < data.length) {
      if (this.inBody) {
        let end: number;
        try {
          end = this.body.read(data, offset);
        } catch (error) {
          return this.giveUp(pieces, error, data.subarray(offset));
        }
        const last = this.body.done;
        if (end > offset || last) pieces.push({ data: data.subarray(offset, end), last });
        this.inBody = !last;
        offset = end;
        continue;
      }
      let end: number;
      try {
        end = this.heads.find(data, offset);
      } catch (error) {
        return this.giveUp(pieces, error, this.heads.release(), data.subarray(offset));
      }
      if (end < 0) return pieces;
      const bytes = this.heads.take(data, offset, end);
      let head: HttpHead;
      try {
        head = this.start(bytes);
      } catch (error) {
        return this.giveUp(pieces, error, bytes, data.subarray(end));
      }
      offset = end;
      pieces.push({ data: bytes, head, last: !this.inBody });
      if (this.upgraded) {
        // The rest is the new protocol's: it passes as it is.
        this.opaque = true;
        if (offset < data.length) pieces.push({ data: data.subarray(offset), last: false });
        return pieces;
      }
    }
    return pieces;
  }

  /** Reads a complete head and starts its body; throws a {@link FramingError}. */
  private start(bytes: Buffer): HttpHead {
    const parsed = parseHead(bytes.toString('latin1'), this.side);
    const response = this.side === 'response';
    const method = response && parsed.status >= 200 ? this.answering(this.finals++) : undefined;
    const kind = bodyKind(parsed, this.side, method);
    if (kind === 'tunnel') this.upgraded = true;
    else if (kind === 'length' || kind === 'chunked' || kind === 'until-close') {
      this.body.start(kind, parsed.contentLength);
      this.inBody = !this.body.done;
    }
    if (response) return { method: '', path: '', status: parsed.status };
    const query = parsed.target.indexOf('?');
    return {
      method: parsed.method,
      path: query < 0 ? parsed.target : parsed.target.slice(0, query),
      status: 0,
    };
  }

  private giveUp(pieces: HttpPiece[], error: unknown, ...rest: Buffer[]): HttpPiece[] {
    if (!(error instanceof FramingError)) throw error;
    this.opaque = true;
    this.failure = error;
    this.inBody = false;
    const held = rest.length === 1 ? (rest[0] as Buffer) : Buffer.concat(rest);
    if (held.length > 0) pieces.push({ data: held, last: false });
    return pieces;
  }
}
