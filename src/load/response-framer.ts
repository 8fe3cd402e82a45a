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
import {
  BodyReader,
  bodyKind,
  FramingError,
  HeadReader,
  parseHead,
  type MessageHead,
} from '../shared/index.js';

const crlfcrlf = Buffer.from('\r\n\r\n');

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
  /** The last final head parsed from one read, and its bytes. */
  #lastHead: MessageHead | undefined;
  #lastBytes: Buffer = Buffer.alloc(0);

  constructor(events: FramerEvents) {
    this.#events = events;
  }

  /**
   * Feeds bytes from the socket. `bodiless()` is asked once per final response head whether the
   * request it answers had no response body by definition (HEAD). `reused`: the caller reads into
   * `chunk` again after this call (a socket's `onread` buffer), so a head that does not end in it
   * is held as a copy, never as a view of it.
   */
  feed(data: Buffer, bodiless: () => boolean, reused = false): void {
    let chunk = data;
    let at = 0;
    let n = chunk.length;
    let volatile = reused;
    while (at < n) {
      if (this.#inBody) {
        const end = this.#body.read(chunk, at);
        this.#bytes += end - at;
        at = end;
        if (this.#body.done) this.#done();
        continue;
      }
      const heldBefore = this.#heads.held;
      let end = this.#wholeHeadEnd(chunk, at);
      let whole = true;
      if (end < 0) {
        whole = false;
        if (volatile) {
          // The head reader will hold bytes of a buffer about to be overwritten: give it a copy.
          chunk = Buffer.from(chunk.subarray(at));
          at = 0;
          n = chunk.length;
          volatile = false;
        }
        end = this.#heads.find(chunk, at);
        if (end < 0) return;
      }
      const head = this.#head(chunk, at, end, bodiless, whole);
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

  /**
   * Where a head that starts at `at` ends, when it lies whole in `chunk` with nothing held before
   * it, no empty line before it and within the size limit (the head reader's own fast path, which
   * holds nothing); -1 otherwise, for the head reader to decide.
   */
  #wholeHeadEnd(chunk: Buffer, at: number): number {
    if (this.#heads.held !== 0 || chunk[at] === 13) return -1;
    const crlf = chunk.indexOf(crlfcrlf, at);
    return crlf >= 0 && crlf + 4 - at <= this.#heads.limit ? crlf + 4 : -1;
  }

  /**
   * Reads one head: undefined for an interim (1xx) one, else whether its response is done already.
   * `whole`: the head is `chunk[at, end)` alone (nothing held), so it may match the last one.
   */
  #head(
    chunk: Buffer,
    at: number,
    end: number,
    bodiless: () => boolean,
    whole: boolean,
  ): 'done' | 'body' | undefined {
    const head = whole
      ? this.#parseWhole(chunk, at, end)
      : parseHead(this.#heads.text(chunk, at, end), 'response');
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

  /**
   * Parses a head that lies whole in `chunk`; the same bytes as the last final head parsed give
   * the same parse (a server repeats its head byte for byte until its Date changes), so they are
   * compared rather than parsed again.
   */
  #parseWhole(chunk: Buffer, at: number, end: number): MessageHead {
    const last = this.#lastBytes;
    if (
      this.#lastHead !== undefined &&
      last.length === end - at &&
      chunk.compare(last, 0, last.length, at, end) === 0
    ) {
      return this.#lastHead;
    }
    const head = parseHead(chunk.toString('latin1', at, end), 'response');
    if (head.status >= 200) {
      this.#lastHead = head;
      this.#lastBytes = Buffer.from(chunk.subarray(at, end));
    }
    return head;
  }

  #done(): void {
    this.#inBody = false;
    const bytes = this.#bytes;
    this.#bytes = 0;
    this.#events.onResponse(this.#status, bytes, this.#close);
  }
}
