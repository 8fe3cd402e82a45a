/**
 * A channel of an HTTP/2 connection: to its engine it is one connection (requests in flight,
 * answered, timed out, closed), but each request is a stream of a session it shares with other
 * channels. Answers may come in any order. A stream the server resets (RST_STREAM) or leaves
 * unanswered at a GOAWAY fails the channel's requests by that kind, and the channel closes (the
 * engine opens another); the session lives on for the other channels.
 *
 * Per request: one `session.request` and four listeners, shared functions finding the request's
 * state on the stream, so nothing is allocated per request beyond the stream and one small record.
 * (No 'end' listener: an answer is judged at 'close'. Profiled, Node's own HTTP/2 client, its
 * per-stream objects and the garbage they make cost several times what this file does.)
 */
import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { transportErrorKind, type TransportErrorKind } from './error-kind.js';
import type { H2Session } from './h2-sessions.js';
import type { ConnectionEvents, LoadConnection, Unanswered } from './load-connection.js';
import type { SerializedRequest } from './request-text.js';

/** A request of a channel: waiting for a stream slot of its session, or on its stream. */
export interface InFlight<T> {
  channel: H2Channel<T>;
  tag: T;
  sentMs: number;
  status: number;
  bytes: number;
  request: NonNullable<SerializedRequest['h2']>;
  /** Absent while it waits for a slot (the server's SETTINGS_MAX_CONCURRENT_STREAMS). */
  stream?: ClientHttp2Stream;
}

const kState = Symbol('loadlab.h2.inFlight');
type TaggedStream = ClientHttp2Stream & { [kState]: InFlight<unknown> };

const endStream = { endStream: true };
const openStream = { endStream: false };

function onResponse(this: TaggedStream, headers: IncomingHttpHeaders): void {
  this[kState].status = Number(headers[':status']);
}
function onData(this: TaggedStream, chunk: Buffer): void {
  this[kState].bytes += chunk.length;
}
/**
 * An answer counts when its stream closed without an error code after its headers arrived. (Its
 * END_STREAM may be read just before a closing session closes it, with 'end' not yet emitted;
 * a stream its session cut before any answer has no status and fails.)
 */
function onClose(this: TaggedStream): void {
  const state = this[kState];
  const rst = this.rstCode;
  if (state.status !== 0 && (rst === undefined || rst === constants.NGHTTP2_NO_ERROR)) {
    state.channel.answered(state);
  } else state.channel.streamFailed(state, undefined, rst);
}
function onError(this: TaggedStream, error: Error): void {
  const state = this[kState];
  state.channel.streamFailed(state, error, this.rstCode);
}

/** Requests of one engine "connection", as streams of a shared HTTP/2 session. */
export class H2Channel<T> implements LoadConnection<T> {
  readonly #session: H2Session;
  readonly #events: ConnectionEvents<T>;
  /** In send order: the first is the oldest. */
  readonly #inFlight = new Set<InFlight<T>>();
  #closed = false;

  constructor(session: H2Session, events: ConnectionEvents<T>) {
    this.#session = session;
    this.#events = events;
    session.channels.add(this as H2Channel<unknown>);
  }

  get connected(): boolean {
    return this.#session.connected;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get closed(): boolean {
    return this.#closed || this.#session.done;
  }

  get oldestSentMs(): number | undefined {
    for (const f of this.#inFlight) return f.sentMs;
    return undefined;
  }

  /** Writes one request: on a stream now, or once the session has a stream slot free. */
  write(request: SerializedRequest, tag: T, sentMs: number): void {
    const h2 = request.h2;
    if (h2 === undefined) throw new Error('H2Channel.write: the request was not prepared for HTTP/2');
    const state: InFlight<T> = { channel: this, tag, sentMs, status: 0, bytes: 0, request: h2 };
    this.#inFlight.add(state);
    this.#session.submit(state as InFlight<unknown>);
  }

  /** Opens the stream of a request the session let through; false when the request is gone meanwhile. */
  start(state: InFlight<T>): boolean {
    if (!this.#inFlight.has(state)) return false;
    const h2 = state.request;
    const stream = this.#session.session.request(h2.headers, h2.body === undefined ? endStream : openStream);
    state.stream = stream;
    (stream as TaggedStream)[kState] = state as InFlight<unknown>;
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('close', onClose);
    stream.on('error', onError);
    if (h2.body !== undefined) stream.end(h2.body);
    return true;
  }

  /** A stream's answer arrived whole (called from the stream's listeners). */
  answered(state: InFlight<T>): void {
    if (!this.#inFlight.delete(state)) return;
    this.#session.ended(1);
    this.#events.onResponse(this, state.tag, state.status, state.bytes, state.sentMs);
    this.drained();
  }

  /**
   * Once its session takes no new streams (GOAWAY) and nothing of its own is in flight, the
   * channel closes as a failure with no requests, so the engine opens another on a live session.
   */
  drained(): void {
    if (this.#session.done && this.#inFlight.size === 0 && !this.#closed) this.#fail('h2-goaway');
  }

  /** A stream ended without its answer (called from the stream's listeners). */
  streamFailed(state: InFlight<T>, error: Error | undefined, rstCode: number | undefined): void {
    if (!this.#inFlight.has(state)) return;
    const kind =
      error === undefined || this.#session.goaway
        ? this.#session.streamFailureKind(rstCode)
        : errorKind(error, this.#session.streamFailureKind(rstCode));
    if (kind === 'h2-reset') this.#session.stats.h2.resets++;
    const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause?.message;
    this.#fail(kind, typeof cause === 'string' ? cause.trim() : error?.message);
  }

  /** The session is established: the engine may count this channel as connected. */
  sessionConnected(): void {
    if (!this.#closed) this.#events.onConnect?.(this);
  }

  /** The session failed: every request in flight fails by `kind`. */
  sessionFailed(kind: TransportErrorKind, detail?: string): void {
    this.#fail(kind, detail);
  }

  timeOut(): void {
    this.#fail('timeout');
  }

  close(): Unanswered<T>[] {
    if (this.#closed) return [];
    const unanswered = [...this.#inFlight].map((f) => ({ tag: f.tag, sentMs: f.sentMs }));
    this.#release();
    return unanswered;
  }

  #fail(kind: TransportErrorKind, detail?: string): void {
    if (this.#closed) return;
    const tags = [...this.#inFlight].map((f) => f.tag);
    this.#release();
    this.#events.onFailure(this, tags, kind, detail);
  }

  /** Closed: its streams still open are cancelled, and it leaves its session. */
  #release(): void {
    this.#closed = true;
    let open = 0;
    const streams: ClientHttp2Stream[] = [];
    for (const f of this.#inFlight) {
      if (f.stream === undefined) continue;
      open++;
      streams.push(f.stream);
    }
    this.#inFlight.clear();
    this.#session.channels.delete(this as H2Channel<unknown>);
    for (const stream of streams) if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    this.#session.ended(open);
  }
}

/**
 * A stream error's kind: that of its cause when it has one (a stream cancelled because its
 * session's TLS handshake failed is a TLS failure), else its own, else by its RST_STREAM code.
 */
function errorKind(error: Error, byRst: TransportErrorKind): TransportErrorKind {
  const cause = (error as { cause?: unknown }).cause;
  const byCause = cause === undefined ? 'other' : transportErrorKind(cause);
  if (byCause !== 'other') return byCause;
  const kind = transportErrorKind(error);
  return kind === 'other' ? byRst : kind;
}
