/**
 * A minimal HTTP/1.1 response framer for the load engines: it finds where each response on a
 * keep-alive connection ends (Content-Length, chunked, or the connection's close) and reports
 * its status and size. It does not keep bodies or header values: a load generator only needs
 * the framing, and skipping the rest is what makes it cheap.
 *
 *   bytes ─▶ [head] ──"\r\n\r\n"──▶ [length body | chunk size ─▶ chunk data ─▶ ... ─▶ trailers]
 *               ▲                                                                      │
 *               └────────────────────── onResponse(status, bytes) ◀────────────────────┘
 */

/** Bytes from the target that are not an HTTP/1.x response the framer can follow (the target's fault, not the engine's). */
export class ResponseFramingError extends Error {
  override name = 'ResponseFramingError';
}

/** What the framer tells its connection. */
export interface FramerEvents {
  /** One complete response: its status, its size on the wire (bytes), and whether the server will close. */
  onResponse(status: number, bytes: number, close: boolean): void;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
}

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** A head larger than this is not an HTTP response a load test expects (bytes). */
const maxHeadBytes = 64 * 1024;

/**
 * Frames the responses of one connection. Throws a {@link ResponseFramingError} on bytes that are
 * not HTTP/1.x; whatever `onResponse` throws passes through unchanged.
 */
export class ResponseFramer {
  readonly #events: FramerEvents;
  #state = State.Head;
  /** Bytes kept from the previous chunk when a head or a chunk-size line was split. */
  #pending: Buffer | undefined;
  #remaining = 0;
  #status = 0;
  #bytes = 0;
  #close = false;

  constructor(events: FramerEvents) {
    this.#events = events;
  }

  /**
   * Feeds bytes from the socket. `bodiless()` is asked once per response head whether the request
   * it answers had no response body by definition (HEAD).
   */
  feed(chunk: Buffer, bodiless: () => boolean): void {
    let buf = chunk;
    if (this.#pending !== undefined) {
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (at < buf.length) {
      switch (this.#state) {
        case State.Head: {
          const end = buf.indexOf(CRLFCRLF, at);
          if (end < 0) return this.#keep(buf, at);
          this.#bytes = end + 4 - at;
          this.#head(buf.toString('latin1', at, end), bodiless);
          at = end + 4;
          break;
        }
        case State.Length: {
          const take = Math.min(this.#remaining, buf.length - at);
          this.#remaining -= take;
          this.#bytes += take;
          at += take;
          if (this.#remaining === 0) this.#done();
          break;
        }
        case State.ChunkSize: {
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.#keep(buf, at);
          const line = buf.toString('latin1', at, end);
          const size = parseInt(line, 16);
          if (!(size >= 0)) throw new ResponseFramingError(`bad chunk size line "${line.slice(0, 40)}"`);
          this.#bytes += end + 2 - at;
          at = end + 2;
          if (size === 0) this.#state = State.Trailers;
          else {
            this.#remaining = size;
            this.#state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.#remaining, buf.length - at);
          this.#remaining -= take;
          this.#bytes += take;
          at += take;
          if (this.#remaining === 0) {
            this.#remaining = 2;
            this.#state = State.ChunkDataEnd;
          }
          break;
        }
        case State.ChunkDataEnd: {
          // The CRLF after a chunk's data.
          const take = Math.min(this.#remaining, buf.length - at);
          this.#remaining -= take;
          this.#bytes += take;
          at += take;
          if (this.#remaining === 0) this.#state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.#keep(buf, at);
          this.#bytes += end + 2 - at;
          const empty = end === at;
          at = end + 2;
          if (empty) this.#done();
          break;
        }
        case State.UntilClose:
          this.#bytes += buf.length - at;
          at = buf.length;
          break;
      }
    }
  }

  /** The connection ended: a response delimited by the close is complete; returns whether one was. */
  end(): boolean {
    if (this.#state !== State.UntilClose) return false;
    this.#close = true;
    this.#done();
    return true;
  }

  /** True between responses (nothing of a response has been read). */
  get idle(): boolean {
    return this.#state === State.Head && this.#pending === undefined;
  }

  #keep(buf: Buffer, at: number): void {
    if (buf.length - at > maxHeadBytes)
      throw new ResponseFramingError(`response head over ${maxHeadBytes} bytes`);
    this.#pending = buf.subarray(at);
  }

  #head(head: string, bodiless: () => boolean): void {
    if (!head.startsWith('HTTP/1.'))
      throw new ResponseFramingError(`not an HTTP/1.x response: "${head.slice(0, 40)}"`);
    const status = Number(head.slice(9, 12));
    if (!(status >= 100 && status <= 599))
      throw new ResponseFramingError(`bad status line "${head.split('\r\n')[0]}"`);
    if (status < 200) return; // interim (100 Continue, 103 Early Hints): the real answer follows
    this.#status = status;
    const lower = head.toLowerCase();
    this.#close = /\r\nconnection:[ \t]*close/.test(lower) || head.startsWith('HTTP/1.0');
    if (bodiless() || status === 204 || status === 304) return this.#done();
    if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
      this.#state = State.ChunkSize;
      return;
    }
    const cl = /\r\ncontent-length:[ \t]*(\d+)/.exec(lower);
    if (cl !== null) {
      this.#remaining = Number(cl[1]);
      if (this.#remaining === 0) return this.#done();
      this.#state = State.Length;
      return;
    }
    this.#state = State.UntilClose;
  }

  #done(): void {
    this.#state = State.Head;
    this.#events.onResponse(this.#status, this.#bytes, this.#close);
    this.#bytes = 0;
  }
}
