/**
 * The closed-model engine of one worker thread: a fixed number of keep-alive connections per
 * phase, each keeping `pipelining` requests in flight and sending the next one when an answer
 * comes (after an optional think time). Latency counts from the write of each request.
 *
 *   phase i ─▶ open/close connections to its count ─▶ each: send × pipelining
 *                                                      │ answer: record, think, send next
 *                                                      │ failure: record by kind, reconnect
 *   phase end ─▶ next phase keeps the connections it needs; the run's end closes them all
 */
import { performance } from 'node:perf_hooks';
import type { TransportErrorKind } from './error-kind.js';
import { HttpConnection, type ConnectionEvents, type ConnectionTarget } from './http-connection.js';
import type { WorkerPhase } from './protocol.js';
import type { SerializedRequest } from './request-text.js';
import type { WindowRecorder } from './window-recorder.js';

export interface ClosedEngineOptions {
  target: ConnectionTarget;
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
}

/** What a closed-model worker counted. */
export interface ClosedEngineTotals {
  sent: number;
  responses: number;
  errors: number;
}

/** Wait before reconnecting after a refused connection, ms: a down target is not hammered. */
const refusedBackoffMs = 100;

/** Runs a closed-model load; `stop()` ends it early. */
export class ClosedEngine {
  readonly #o: ClosedEngineOptions;
  readonly #totals: ClosedEngineTotals = { sent: 0, responses: 0, errors: 0 };
  readonly #connections = new Set<HttpConnection<number>>();
  readonly #clockOffset: number;
  readonly #events: ConnectionEvents<number>;
  #wanted = 0;
  #running = false;
  #stopped = false;
  #wake: () => void = () => {};
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: ClosedEngineOptions) {
    this.#o = options;
    this.#clockOffset = performance.timeOrigin - options.startEpochMs;
    this.#events = {
      onResponse: (connection, index, status, bytes, sentMs) => {
        const endMs = this.#now();
        this.#totals.responses++;
        const kind = this.#o.checkStatus(index, status);
        if (kind !== undefined) this.#totals.errors++;
        this.#o.recorder.response(endMs - sentMs, bytes, kind);
        if (this.#running && !connection.closed) this.#next(connection);
      },
      onFailure: (connection, tags, kind) => this.#failed(connection, tags.length, kind),
    };
  }

  /** Runs every phase and returns the counts; requests still in flight at the end are abandoned. */
  async run(): Promise<ClosedEngineTotals> {
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
    } finally {
      clearInterval(ticker);
      this.#running = false;
      for (const timer of this.#timers) clearTimeout(timer);
      for (const c of this.#connections) c.close();
      this.#connections.clear();
    }
    return { ...this.#totals };
  }

  /** Stops at once; requests in flight are abandoned. */
  stop(): void {
    this.#stopped = true;
    this.#running = false;
    this.#wake();
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

  /** Opens or closes connections until `count` are open. */
  #resize(count: number): void {
    this.#wanted = count;
    while (this.#connections.size < count) this.#open();
    for (const c of this.#connections) {
      if (this.#connections.size <= count) break;
      this.#connections.delete(c);
      c.close();
    }
  }

  #open(): void {
    const connection = new HttpConnection(this.#o.target, this.#events);
    this.#connections.add(connection);
    for (let i = 0; i < this.#o.pipelining; i++) this.#send(connection);
  }

  /** After an answer: the next request, now or after a think time. */
  #next(connection: HttpConnection<number>): void {
    const think = this.#o.thinkTime;
    if (think === undefined) return this.#send(connection);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#running && !connection.closed) this.#send(connection);
    }, think());
    this.#timers.add(timer);
  }

  #send(connection: HttpConnection<number>): void {
    const request = this.#o.nextRequest();
    this.#totals.sent++;
    connection.send(request.text, request.index, this.#now(), request.head);
  }

  #failed(connection: HttpConnection<number>, lost: number, kind: TransportErrorKind): void {
    const wasOurs = this.#connections.delete(connection);
    if (!wasOurs) return;
    for (let i = 0; i < lost; i++) {
      this.#totals.errors++;
      this.#o.recorder.failure(kind);
    }
    if (!this.#running) return;
    const reopen = (): void => {
      if (this.#running && this.#connections.size < this.#wanted) this.#open();
    };
    if (kind === 'refused') {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        reopen();
      }, refusedBackoffMs);
      this.#timers.add(timer);
    } else setImmediate(reopen);
  }

  #checkTimeouts(): void {
    const limit = this.#now() - this.#o.timeoutMs;
    for (const c of this.#connections) {
      const oldest = c.oldestSentMs;
      if (oldest !== undefined && oldest < limit) c.timeOut();
    }
  }
}
