/**
 * The closed-model engine of one worker thread: a fixed number of keep-alive connections per
 * phase, each keeping `pipelining` requests in flight and sending the next one when an answer
 * comes (after an optional think time). Latency counts from the write of each request.
 *
 *   phase i ─▶ open/retire connections to its count ─▶ each: send × pipelining
 *                                                      │ answer: record, think, send next
 *                                                      │ failure: record by kind, reconnect
 *   phase end ─▶ next phase keeps the connections it needs; the others are retired (they send
 *                nothing more and close once their requests are answered)
 *   run end ─▶ no more sends; wait up to `drainMs` for the answers in flight; whatever is still
 *              unanswered is recorded at its age as "unanswered", and every connection closes
 */
import { performance } from 'node:perf_hooks';
import type { TransportErrorKind } from './error-kind.js';
import type { ConnectionEvents, Connector, LoadConnection } from './load-connection.js';
import type { EngineTotals, WorkerPhase } from './protocol.js';
import type { SerializedRequest } from './request-text.js';
import type { WindowRecorder } from './window-recorder.js';

export interface ClosedEngineOptions {
  /** Opens a connection to the target (HTTP/1.1, or a channel of an HTTP/2 connection). */
  connect: Connector;
  phases: WorkerPhase[];
  /** The next request to send. */
  nextRequest: () => SerializedRequest;
  /** The error kind of an answer's status, undefined for a success. */
  checkStatus: (index: number, status: number) => string | undefined;
  /** Requests each connection keeps in flight (default 1). */
  pipelining: number;
  /** Draws a think time (ms) after each answer; undefined for none. */
  thinkTime: (() => number) | undefined;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** The run's time zero, ms since the Unix epoch. */
  startEpochMs: number;
  recorder: WindowRecorder;
  /** Called when the engine enters a phase. */
  onPhase: (index: number) => void;
  /** Longest wait for requests still in flight after the last phase, ms (default min(timeout, 1000)). */
  drainMs?: number;
}

/** Wait before reconnecting after a connection failed to open, ms: a down target is not hammered. */
const refusedBackoffMs = 100;

/** Kinds that mean the connection itself could not be made (DNS, TCP, TLS): reconnect after the backoff. */
const connectStepKinds: ReadonlySet<TransportErrorKind> = new Set([
  'refused',
  'dns',
  'connect',
  'tls-expired',
  'tls-hostname',
  'tls-untrusted',
  'tls-alpn',
  'tls',
]);

/** Runs a closed-model load; `stop()` ends it early. */
export class ClosedEngine {
  readonly #o: ClosedEngineOptions;
  readonly #totals: EngineTotals = {
    sent: 0,
    responses: 0,
    statusErrors: 0,
    transportErrors: 0,
    unanswered: 0,
  };
  /** Connections the current phase counts on. */
  readonly #connections = new Set<LoadConnection<number>>();
  /** Connections a smaller phase no longer needs: they send nothing more and close once answered. */
  readonly #retiring = new Set<LoadConnection<number>>();
  /** Requests written and neither answered nor failed yet. */
  #inFlight = 0;
  readonly #clockOffset: number;
  readonly #events: ConnectionEvents<number>;
  #wanted = 0;
  #running = false;
  #stopped = false;
  #wake: () => void = () => {};
  #idle: () => void = () => {};
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: ClosedEngineOptions) {
    this.#o = options;
    this.#clockOffset = performance.timeOrigin - options.startEpochMs;
    this.#events = {
      onResponse: (connection, index, status, bytes, sentMs) => {
        const endMs = this.#now();
        this.#totals.responses++;
        const kind = this.#o.checkStatus(index, status);
        if (kind !== undefined) this.#totals.statusErrors++;
        this.#o.recorder.response(endMs - sentMs, bytes, kind, undefined, endMs);
        this.#settled(1);
        if (this.#retiring.size !== 0 && this.#retiring.has(connection)) {
          if (connection.inFlight === 0) {
            this.#retiring.delete(connection);
            connection.close();
          }
        } else if (this.#running && !connection.closed) this.#next(connection);
      },
      onFailure: (connection, tags, kind) => this.#failed(connection, tags.length, kind),
    };
  }

  /**
   * Runs every phase, waits a little for the answers still in flight, and returns the counts;
   * requests still unanswered then are recorded as "unanswered" at their age.
   */
  async run(): Promise<EngineTotals> {
    const ticker = setInterval(
      () => this.#checkTimeouts(),
      Math.min(250, Math.max(10, this.#o.timeoutMs / 4)),
    );
    try {
      for (const phase of this.#o.phases) {
        await this.#sleepUntil(phase.startMs);
        if (this.#stopped) break;
        this.#o.onPhase(phase.index);
        this.#running = true;
        this.#resize(phase.connections ?? 0);
        await this.#sleepUntil(phase.endMs);
        if (this.#stopped) break;
      }
      this.#running = false;
      if (!this.#stopped) await this.#drain(this.#o.drainMs ?? Math.min(this.#o.timeoutMs, 1000));
    } finally {
      clearInterval(ticker);
      this.#running = false;
      for (const timer of this.#timers) clearTimeout(timer);
      this.#closeAll();
    }
    return { ...this.#totals };
  }

  /** Stops at once; requests in flight are recorded as unanswered at their age. */
  stop(): void {
    this.#stopped = true;
    this.#running = false;
    this.#wake();
    this.#idle();
  }

  /** Waits until nothing is in flight, `ms` has passed, or the engine is stopped. */
  async #drain(ms: number): Promise<void> {
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#idle = done;
    });
    this.#idle = () => {};
  }

  /** Closes every connection, recording each request still unanswered at its age. */
  #closeAll(): void {
    const endMs = this.#now();
    for (const set of [this.#connections, this.#retiring]) {
      for (const c of set) {
        for (const u of c.close()) {
          this.#totals.unanswered++;
          this.#o.recorder.unanswered(endMs - u.sentMs);
        }
      }
      set.clear();
    }
    this.#inFlight = 0;
  }

  /** `n` requests were answered or failed. */
  #settled(n: number): void {
    this.#inFlight -= n;
    if (this.#inFlight === 0) this.#idle();
  }

  #now(): number {
    return performance.now() + this.#clockOffset;
  }

  #sleepUntil(runMs: number): Promise<void> {
    const delay = runMs - this.#now();
    if (delay <= 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.#wake = done;
    });
  }

  /**
   * Opens connections, or retires some, until `count` are working. A retired connection's
   * requests still count: it closes once they are answered (or fail, or the run ends).
   */
  #resize(count: number): void {
    this.#wanted = count;
    while (this.#connections.size < count) this.#open();
    for (const c of this.#connections) {
      if (this.#connections.size <= count) break;
      this.#connections.delete(c);
      if (c.inFlight === 0) c.close();
      else this.#retiring.add(c);
    }
  }

  #open(): void {
    const connection = this.#o.connect(this.#events);
    this.#connections.add(connection);
    for (let i = 0; i < this.#o.pipelining; i++) this.#send(connection);
  }

  /** After an answer: the next request, now or after a think time. */
  #next(connection: LoadConnection<number>): void {
    const think = this.#o.thinkTime;
    if (think === undefined) return this.#send(connection);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#running && !connection.closed) this.#send(connection);
    }, think());
    this.#timers.add(timer);
  }

  #send(connection: LoadConnection<number>): void {
    const request = this.#o.nextRequest();
    this.#totals.sent++;
    this.#inFlight++;
    connection.write(request, request.index, this.#now());
  }

  #failed(connection: LoadConnection<number>, lost: number, kind: TransportErrorKind): void {
    // Closed connections report no failure, so every one reported here is a request of ours.
    this.#totals.transportErrors += lost;
    for (let i = 0; i < lost; i++) this.#o.recorder.failure(kind);
    this.#settled(lost);
    const working = this.#connections.delete(connection);
    this.#retiring.delete(connection);
    if (!working || !this.#running) return;
    const reopen = (): void => {
      if (this.#running && this.#connections.size < this.#wanted) this.#open();
    };
    if (connectStepKinds.has(kind)) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        reopen();
      }, refusedBackoffMs);
      this.#timers.add(timer);
    } else setImmediate(reopen);
  }

  #checkTimeouts(): void {
    const limit = this.#now() - this.#o.timeoutMs;
    for (const set of [this.#connections, this.#retiring]) {
      for (const c of set) {
        const oldest = c.oldestSentMs;
        if (oldest !== undefined && oldest < limit) c.timeOut();
      }
    }
  }
}
