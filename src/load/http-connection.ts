/**
 * One keep-alive HTTP/1.1 connection of a load engine, over a raw `net` socket: requests go out
 * as pre-serialised text, responses are framed by {@link ResponseFramer}, and answers are matched
 * to requests in order (so pipelining is just sending before the previous answer came).
 *
 *   engine ─send(text, tag)─▶ socket.write ─▶ target
 *      ▲                         queue: [tag, tag, ...] (oldest first)
 *      └── onResponse(tag, status, bytes) ◀── framer ◀── socket 'data'
 *      └── onFailure(tags, kind) when the socket fails, closes early, times out or sends bytes
 *          that are not a well-framed HTTP/1.x response (kind "framing")
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { FramingError } from '../shared/index.js';
import type { ConnectionStats } from './connection-stats.js';
import { transportErrorKind, type TransportErrorKind } from './error-kind.js';
import type { ConnectionEvents, LoadConnection, Unanswered } from './load-connection.js';
import type { SerializedRequest } from './request-text.js';
import { ResponseFramer } from './response-framer.js';

export type { ConnectionEvents, Unanswered } from './load-connection.js';

/** Where to connect: host and port. */
export interface ConnectionTarget {
  host: string;
  port: number;
}

/** How to connect: over TLS with these options (plain TCP when absent), timing each step into `stats`. */
export interface HttpConnectionOptions {
  tls?: ConnectionOptions;
  stats?: ConnectionStats;
}

/**
 * Where plain TCP connections read into (`onread`): one buffer for every connection of the thread,
 * since each read is framed before the next one starts; the framer copies what it must keep.
 */
let sharedReadBuffer: Buffer | undefined;
const readBufferBytes = 64 * 1024;

/** A keep-alive connection carrying requests in order. */
export class HttpConnection<T> implements LoadConnection<T> {
  readonly #socket: Socket;
  readonly #events: ConnectionEvents<T>;
  readonly #framer: ResponseFramer;
  /**
   * Requests written and not yet answered, `[#head, #tail)` oldest first: tag, HEAD or not, sent
   * at. The slots are reused once all are answered, so a request allocates nothing here.
   */
  readonly #tags: T[] = [];
  readonly #heads: boolean[] = [];
  readonly #sentMs: number[] = [];
  #head = 0;
  #tail = 0;
  /** Whether the oldest unanswered request is a HEAD (its answer has no body), for the framer. */
  readonly #bodiless = (): boolean => this.#heads[this.#head] ?? false;
  #closed = false;
  #connected = false;
  /** Set when the server said it will close after the current response. */
  #closing = false;

  constructor(target: ConnectionTarget, events: ConnectionEvents<T>, options: HttpConnectionOptions = {}) {
    this.#events = events;
    this.#framer = new ResponseFramer({
      onResponse: (status, bytes, close) => {
        if (close) this.#closing = true;
        const at = this.#head;
        if (at < this.#tail) {
          const tag = this.#tags[at] as T;
          const sentMs = this.#sentMs[at] as number;
          this.#shift();
          this.#events.onResponse(this, tag, status, bytes, sentMs);
        }
        if (close) this.#fail('reset');
      },
    });
    const openedAt = performance.now();
    const { stats, tls } = options;
    if (tls === undefined) {
      // Read into one reused buffer, straight to the framer: no Buffer and no stream push per read.
      const buffer = (sharedReadBuffer ??= Buffer.allocUnsafe(readBufferBytes));
      this.#socket = connect({
        host: target.host,
        port: target.port,
        noDelay: true,
        onread: {
          buffer,
          callback: (n) => {
            this.#read(buffer, n, true);
            return true;
          },
        },
      });
      this.#socket.once('connect', () => {
        stats?.connected(performance.now() - openedAt);
        this.#established();
      });
    } else {
      const socket = tlsConnect({ ...tls, host: target.host, port: target.port });
      this.#socket = socket;
      let tcpAt = openedAt;
      socket.once('connect', () => {
        tcpAt = performance.now();
        stats?.connected(tcpAt - openedAt);
        socket.setNoDelay(true);
      });
      socket.once('secureConnect', () => {
        stats?.handshaken(performance.now() - tcpAt);
        // A target that insists on another protocol than HTTP/1.1 (ALPN) is refused by name.
        const alpn = socket.alpnProtocol;
        if (typeof alpn === 'string' && alpn !== 'http/1.1') {
          this.#fail('tls-alpn', `the target chose "${alpn}" in ALPN, not http/1.1`);
        } else this.#established();
      });
    }
    if (tls !== undefined) this.#socket.on('data', (chunk: Buffer) => this.#read(chunk, chunk.length, false));
    this.#socket.on('end', () => {
      // A response delimited by the close is complete now; whatever is still unanswered was reset.
      this.#framer.end();
      this.#fail('reset');
    });
    this.#socket.on('error', (error) => this.#fail(transportErrorKind(error), error.message));
    this.#socket.on('close', () => this.#fail('reset'));
  }

  /** Frames `n` bytes read into `buffer` (`reused`: read into again afterwards). */
  #read(buffer: Buffer, n: number, reused: boolean): void {
    try {
      this.#framer.feed(n === buffer.length ? buffer : buffer.subarray(0, n), this.#bodiless, reused);
    } catch (error) {
      // Only bytes the target got wrong are its transport error ("framing"); anything else (the
      // engine's own onResponse, recorder or status check) is a bug of ours and must not pass as one.
      if (error instanceof FramingError) this.#fail('framing');
      else throw error;
    }
  }

  #established(): void {
    this.#connected = true;
    this.#events.onConnect?.(this);
  }

  /** True once the connection was established (TCP, and TLS over https). */
  get connected(): boolean {
    return this.#connected;
  }

  /** Requests written and not yet answered. */
  get inFlight(): number {
    return this.#tail - this.#head;
  }

  /** True once the connection failed or was closed: it takes no more requests. */
  get closed(): boolean {
    return this.#closed || this.#closing;
  }

  /** Run-clock ms at which the oldest unanswered request was written, or undefined when none is. */
  get oldestSentMs(): number | undefined {
    return this.#head < this.#tail ? this.#sentMs[this.#head] : undefined;
  }

  /** Writes one serialised request; `head` says a HEAD request's answer has no body. */
  send(text: string, tag: T, sentMs: number, head = false): void {
    const i = this.#tail++;
    this.#tags[i] = tag;
    this.#heads[i] = head;
    this.#sentMs[i] = sentMs;
    this.#socket.write(text);
  }

  /** Writes one serialised request (its `text`). */
  write(request: SerializedRequest, tag: T, sentMs: number): void {
    this.send(request.text, tag, sentMs, request.head);
  }

  /** Fails every unanswered request with `timeout` and closes. */
  timeOut(): void {
    this.#fail('timeout');
  }

  /**
   * Closes the socket without an `onFailure`, and returns the requests still unanswered (oldest
   * first, with the run-clock ms each was written): the engine accounts for them itself.
   */
  close(): Unanswered<T>[] {
    const unanswered: Unanswered<T>[] = [];
    if (!this.#closed) {
      for (let i = this.#head; i < this.#tail; i++) {
        unanswered.push({ tag: this.#tags[i] as T, sentMs: this.#sentMs[i] as number });
      }
    }
    this.#closed = true;
    this.#clear();
    this.#socket.destroy();
    return unanswered;
  }

  /** Drops the oldest unanswered request. */
  #shift(): void {
    this.#head++;
    // Start again from slot 0 once all are answered; compact now and then when they never all are.
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
    } else if (this.#head > 1024) {
      this.#tags.splice(0, this.#head);
      this.#heads.splice(0, this.#head);
      this.#sentMs.splice(0, this.#head);
      this.#tail -= this.#head;
      this.#head = 0;
    }
  }

  /** Forgets every request (the connection is done). */
  #clear(): void {
    this.#tags.length = 0;
    this.#heads.length = 0;
    this.#sentMs.length = 0;
    this.#head = 0;
    this.#tail = 0;
  }

  #fail(kind: TransportErrorKind, detail?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const tags = this.#tags.slice(this.#head, this.#tail);
    this.#clear();
    this.#socket.destroy();
    this.#events.onFailure(this, tags, kind, detail);
  }
}
