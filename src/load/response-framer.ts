/**
 * The load engines' response framer: a thin adapter over the shared HTTP/1.1 framing core that
 * finds where each response on a keep-alive connection ends and reports its status and size. It
 * keeps no bodies and reads no header values beyond the framing fields: a load generator only
 * needs the framing, and skipping the rest is what makes it cheap. Anything the core refuses
 * (bytes that are not HTTP/1.x, a head that does not end within 64 KiB, a malformed length or
 * chunk) is thrown as a {@link FramingError}: the target's fault, counted as the error kind
 * `framing`.
 *
 *   bytes ─▶ HeadReader ─CRLF CRLF─▶ parseHead ─▶ bodyKind ─▶ BodyReader (length | chunked | close)
 *               ▲  1xx: the real answer follows                                   │
 *               └───────────────── onResponse(status, bytes, close) ◀────────────┘
 */
import { BodyReader, bodyKind, FramingError, HeadReader, parseHead } from '../shared/index.js';

/** What the framer tells its connection. */
export interface FramerEvents {
  /** One complete response: its status, its size on the wire (bytes), and whether the server will close. */
  onResponse(status: number, bytes: number, close: boolean): void;
}

/**
 * Frames the responses of one connection. Throws a {@link FramingError} on bytes that are not a
 * well-framed HTTP/1.x response; whatever `onResponse` throws passes through unchanged.
 */
export class ResponseFramer {
  readonly #events: FramerEvents;
  readonly #heads = new HeadReader('response');
  readonly #body = new BodyReader();
  #inBody = false;
  #status = 0;
  #bytes = 0;
  #close = false;

  constructor(events: FramerEvents) {
    this.#events = events;
  }

  /**
   * Feeds bytes from the socket. `bodiless()` is asked once per final response head whether the
   * request it answers had no response body by definition (HEAD).
   */
  feed(chunk: Buffer, bodiless: () => boolean): void {
    let at = 0;
    const n = chunk.length;
    while (at < n) {
      if (this.#inBody) {
        const end = this.#body.read(chunk, at);
        this.#bytes += end - at;
        at = end;
        if (this.#body.done) this.#done();
        continue;
      }
      const heldBefore = this.#heads.held;
      const end = this.#heads.find(chunk, at);
      if (end < 0) return;
      const head = this.#head(chunk, at, end, bodiless);
      if (head !== undefined) this.#bytes = heldBefore + end - at;
      at = end;
      if (head === 'done') this.#done();
    }
  }

  /** The connection ended: a response delimited by the close is complete; returns whether one was. */
  end(): boolean {
    if (!this.#inBody || !this.#body.untilClose) return false;
    this.#close = true;
    this.#done();
    return true;
  }

  /** True between responses (nothing of a response has been read). */
  get idle(): boolean {
    return !this.#inBody && this.#heads.held === 0;
  }

  /** Reads one head: undefined for an interim (1xx) one, else whether its response is done already. */
  #head(chunk: Buffer, at: number, end: number, bodiless: () => boolean): 'done' | 'body' | undefined {
    const head = parseHead(this.#heads.text(chunk, at, end), 'response');
    const status = head.status;
    if (status < 200) {
      if (status === 101) throw new FramingError('upgrade', 'the target switched protocols (101) unasked');
      return undefined; // 100 Continue, 103 Early Hints: the real answer follows
    }
    this.#status = status;
    this.#close = head.close;
    const kind = bodyKind(head, 'response', bodiless() ? 'HEAD' : undefined);
    if (kind === 'none') return 'done';
    if (kind === 'length' || kind === 'chunked' || kind === 'until-close') {
      this.#body.start(kind, head.contentLength);
      if (this.#body.done) return 'done';
      this.#inBody = true;
      return 'body';
    }
    throw new FramingError('upgrade', `a ${status} response the engine cannot follow`);
  }

  #done(): void {
    this.#inBody = false;
    const bytes = this.#bytes;
    this.#bytes = 0;
    this.#events.onResponse(this.#status, bytes, this.#close);
  }
}
