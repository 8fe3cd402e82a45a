/**
 * What a load engine sends requests through, whatever the protocol: a keep-alive HTTP/1.1
 * connection ({@link HttpConnection}), or a channel of streams on a shared HTTP/2 connection
 * ({@link H2Channel}). Engines ask a {@link Connector} for new ones and never name the protocol.
 */
import type { TransportErrorKind } from './error-kind.js';
import type { SerializedRequest } from './request-text.js';

/** What a connection tells its engine; `T` is the engine's per-request tag (e.g. its due time). */
export interface ConnectionEvents<T> {
  /** One answer: `sentMs` is the run-clock time its request was written. */
  onResponse(connection: LoadConnection<T>, tag: T, status: number, bytes: number, sentMs: number): void;
  /**
   * Requests that will never be answered, oldest first, and why (`detail`: the underlying error's
   * message, when there was one). The connection is closed.
   */
  onFailure(connection: LoadConnection<T>, tags: T[], kind: TransportErrorKind, detail?: string): void;
  /** The connection is established (not called when it fails first, nor when it was established at once). */
  onConnect?(connection: LoadConnection<T>): void;
}

/** A request the engine gave up waiting for: its tag and the run-clock ms it was written. */
export interface Unanswered<T> {
  tag: T;
  sentMs: number;
}

/** One way of carrying requests to the target. */
export interface LoadConnection<T> {
  /** True once established (TCP, TLS, and the protocol's own start). */
  readonly connected: boolean;
  /** Requests written and not yet answered. */
  readonly inFlight: number;
  /** True once failed or closed: it takes no more requests. */
  readonly closed: boolean;
  /** Run-clock ms at which the oldest unanswered request was written, or undefined when none is. */
  readonly oldestSentMs: number | undefined;
  /** Writes one request. */
  write(request: SerializedRequest, tag: T, sentMs: number): void;
  /** Fails every unanswered request with `timeout` and closes. */
  timeOut(): void;
  /** Closes without an `onFailure`, and returns the requests still unanswered (oldest first). */
  close(): Unanswered<T>[];
}

/** Opens a new connection (or channel) to the run's target. */
export type Connector = <T>(events: ConnectionEvents<T>) => LoadConnection<T>;
