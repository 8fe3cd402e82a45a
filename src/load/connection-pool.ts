/**
 * The open model's connections: one request in flight on each, idle ones reused last-in
 * first-out (warm), a new one opened when all are busy, but at most `maxConnecting` being opened
 * at once, so a target slow to accept does not get a storm of new connections.
 */
import type { ConnectionEvents, Connector, LoadConnection, Unanswered } from './load-connection.js';

export class ConnectionPool<T> {
  readonly #connect: Connector;
  readonly #events: ConnectionEvents<T>;
  readonly #maxConnecting: number;
  readonly #idle: LoadConnection<T>[] = [];
  readonly #all = new Set<LoadConnection<T>>();
  #connecting = 0;

  /**
   * @param events the engine's; the pool keeps its own books first (an answered connection is
   *   idle again before `onResponse` runs, a failed one is gone before `onFailure` runs).
   */
  constructor(connect: Connector, events: ConnectionEvents<T>, maxConnecting: number) {
    this.#connect = connect;
    this.#maxConnecting = maxConnecting;
    this.#events = {
      onResponse: (connection, tag, status, bytes, sentMs) => {
        if (!connection.closed) this.#idle.push(connection);
        events.onResponse(connection, tag, status, bytes, sentMs);
      },
      onFailure: (connection, tags, kind) => {
        this.#all.delete(connection);
        if (!connection.connected) this.#connecting--;
        events.onFailure(connection, tags, kind);
      },
      onConnect: (connection) => {
        this.#connecting--;
        events.onConnect?.(connection);
      },
    };
  }

  /** Whether a request can go now: an idle connection, or room to open one. */
  canSend(): boolean {
    const idle = this.#idle;
    while (idle.length > 0 && (idle[idle.length - 1] as LoadConnection<T>).closed) idle.pop();
    return idle.length > 0 || this.#connecting < this.#maxConnecting;
  }

  /** An idle connection, or a new one (ask {@link canSend} first). */
  acquire(): LoadConnection<T> {
    let connection = this.#idle.pop();
    while (connection?.closed) connection = this.#idle.pop();
    if (connection !== undefined) return connection;
    const opened = this.#connect(this.#events);
    this.#all.add(opened);
    // An HTTP/2 channel on a connection already established is ready at once.
    if (!opened.connected) this.#connecting++;
    return opened;
  }

  /** Times out every connection whose oldest unanswered request was written before `limitMs` (run clock). */
  timeOutOlderThan(limitMs: number): void {
    for (const c of this.#all) {
      const oldest = c.oldestSentMs;
      if (oldest !== undefined && oldest < limitMs) c.timeOut();
    }
  }

  /** Requests written and not yet answered, over every connection. */
  get inFlight(): number {
    let n = 0;
    for (const c of this.#all) n += c.inFlight;
    return n;
  }

  /** Closes every connection and returns the requests still unanswered (no `onFailure` for them). */
  closeAll(): Unanswered<T>[] {
    const unanswered: Unanswered<T>[] = [];
    for (const c of this.#all) unanswered.push(...c.close());
    this.#all.clear();
    this.#idle.length = 0;
    return unanswered;
  }
}
