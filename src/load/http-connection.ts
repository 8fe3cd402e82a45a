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

interface Sent<T> {
  tag: T;
  head: boolean;
  sentMs: number;
}

/** A keep-alive connection carrying requests in order. */
export class HttpConnection<T> implements LoadConnection<T> {
  readonly #socket: Socket;
  readonly #events: ConnectionEvents<T>;
  readonly #framer: ResponseFramer;
  readonly #queue: Sent<T>[] = [];
  #head = 0;
  #closed = false;
  #connected = false;
  /** Set when the server said it will close after the current response. */
  #closing = false;

  constructor(target: ConnectionTarget, events: ConnectionEvents<T>, options: HttpConnectionOptions = {}) {
    this.#events = events;
    this.#framer = new ResponseFramer({
      onResponse: (status, bytes, close) => {
        const sent = this.#shift();
        if (close) this.#closing = true;
        if (sent !== undefined) this.#events.onResponse(this, sent.tag, status, bytes, sent.sentMs);
        if (close) this.#fail('reset');
      },
    });
    const openedAt = performance.now();
    const { stats, tls } = options;
    if (tls === undefined) {
      this.#socket = connect({ host: target.host, port: target.port, noDelay: true });
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
    this.#socket.on('data', (chunk: Buffer) => {
      try {
        this.#framer.feed(chunk, () => this.#queue[this.#head]?.head ?? false);
      } catch (error) {
        // Only bytes the target got wrong are its transport error ("framing"); anything else (the
        // engine's own onResponse, recorder or status check) is a bug of ours and must not pass as one.
        if (error instanceof FramingError) this.#fail('framing');
        else throw error;
      }
    });
    this.#socket.on('end', () => {
      // A response delimited by the close is complete now; whatever is still unanswered was reset.
      this.#framer.end();
      this.#fail('reset');
    });
    this.#socket.on('error', (error) => this.#fail(transportErrorKind(error), error.message));
    this.#socket.on('close', () => this.#fail('reset'));
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
    return this.#queue.length - this.#head;
  }

  /** True once the connection failed or was closed: it takes no more requests. */
  get closed(): boolean {
    return this.#closed || this.#closing;
  }

  /** Run-clock ms at which the oldest unanswered request was written, or undefined when none is. */
  get oldestSentMs(): number | undefined {
    return this.#queue[this.#head]?.sentMs;
  }

  /** Writes one serialised request; `head` says a HEAD request's answer has no body. */
  send(text: string, tag: T, sentMs: number, head = false): void {
    this.#queue.push({ tag, head, sentMs });
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
    const unanswered = this.#closed
      ? []
      : this.#queue.slice(this.#head).map((s) => ({ tag: s.tag, sentMs: s.sentMs }));
    this.#closed = true;
    this.#queue.length = 0;
    this.#head = 0;
    this.#socket.destroy();
    return unanswered;
  }

  #shift(): Sent<T> | undefined {
    const sent = this.#queue[this.#head];
    if (sent === undefined) return undefined;
    this.#head++;
    // Compact now and then rather than shift() on every answer.
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    return sent;
  }

  #fail(kind: TransportErrorKind, detail?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const tags = this.#queue.slice(this.#head).map((s) => s.tag);
    this.#queue.length = 0;
    this.#head = 0;
    this.#socket.destroy();
    this.#events.onFailure(this, tags, kind, detail);
  }
}
