/**
 * The open-model engine of one worker thread: sends each request when it is due, whatever the
 * answers do, over one undici Pool, and times it from its due time (coordinated omission) as well
 * as from its actual send (service time).
 *
 *   schedule ─▶ nextDue ─▶ pump ──send──▶ Pool ──▶ target
 *                  ▲        │ not due yet: sleep (timer to ~1 ms before, then setImmediate)
 *                  │        │ overdue: send every overdue one now, in a burst (never early)
 *                  │        │ maxInFlight reached: wait for a completion; at the phase's end
 *                  │        │   the arrivals still unsent are dropped
 *                  └────────┘ completion: record (end − due) and (end − send); wake the pump
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { createLatencyHistogram, encodeHistogram, recordLatencyUs } from '../metrics/index.js';
import type { Random } from '../shared/random.js';
import { arrivalSchedule, type ArrivalSchedule } from './arrival-schedule.js';
import { statusErrorKind, transportErrorKind } from './error-kind.js';
import type { OpenTotals, WorkerOpenOptions, WorkerPhase } from './protocol.js';
import type { RequestMix } from './request-mix.js';
import type { WindowRecorder } from './window-recorder.js';

export interface OpenEngineOptions {
  targetUrl: string;
  phases: WorkerPhase[];
  mix: RequestMix;
  open: WorkerOpenOptions;
  /** Draws Poisson gaps. */
  random: Random;
  /** Per-request timeout (headers and body), ms. */
  timeoutMs: number;
  /** The run's time zero, ms since the Unix epoch. */
  startEpochMs: number;
  recorder: WindowRecorder;
  /** Called when the engine enters a phase. */
  onPhase: (index: number) => void;
  /** Longest wait for requests still in flight after the last phase, ms (default min(timeout, 1000)). */
  drainMs?: number;
}

/** What one open-model worker counted. */
export interface OpenEngineTotals extends OpenTotals {
  sent: number;
  responses: number;
  errors: number;
}

/** Below this many ms to the next due time the pump yields with setImmediate rather than a timer. */
const spinMs = 1;

/** Runs an open-model load; `stop()` ends it early. */
export class OpenEngine {
  readonly #o: OpenEngineOptions;
  readonly #pool: Pool;
  readonly #lag = createLatencyHistogram();
  readonly #totals = { sent: 0, responses: 0, errors: 0, dropped: 0, planned: 0 };
  #phaseIndex = -1;
  #announced = -1;
  #schedule: ArrivalSchedule | undefined;
  #nextDue: number | undefined;
  #inFlight = 0;
  #blocked = false;
  /** Run-clock ms when the bound last freed a slot after being full: arrivals due before it were held. */
  #freedAtMs = -Infinity;
  #timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  #stopped = false;
  /** Set once the pool is being torn down: late failures are not the target's errors. */
  #closing = false;
  #scheduled: () => void = () => {};
  #idle: () => void = () => {};

  constructor(options: OpenEngineOptions) {
    this.#o = options;
    this.#pool = new Pool(new URL(options.targetUrl).origin, {
      connections: options.open.maxInFlight,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.timeoutMs },
    });
  }

  /** Runs every phase, waits a little for answers still in flight, and returns the counts. */
  async run(): Promise<OpenEngineTotals> {
    await new Promise<void>((resolve) => {
      this.#scheduled = resolve;
      if (this.#stopped) return resolve();
      this.#enterPhase(0);
      this.#pump();
    });
    if (!this.#stopped) await this.#drain(this.#o.drainMs ?? Math.min(this.#o.timeoutMs, 1000));
    this.#closing = true;
    await this.#pool.destroy();
    return { ...this.#totals, lagHistogram: encodeHistogram(this.#lag) };
  }

  /** Stops scheduling at once; requests in flight are abandoned (counted as in flight at stop). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimer();
    this.#idle();
    this.#scheduled();
  }

  #runNow(): number {
    return performance.timeOrigin + performance.now() - this.#o.startEpochMs;
  }

  #enterPhase(index: number): void {
    this.#phaseIndex = index;
    const phase = this.#o.phases[index];
    this.#schedule =
      phase?.rate === undefined
        ? undefined
        : arrivalSchedule(
            { startMs: phase.startMs, endMs: phase.endMs, rate: phase.rate },
            { arrivals: this.#o.open.arrivals, random: this.#o.random, offset: this.#o.open.offset },
          );
    this.#nextDue = this.#take();
  }

  #take(): number | undefined {
    const due = this.#schedule?.next();
    if (due !== undefined) this.#totals.planned++;
    return due;
  }

  readonly #pump = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    for (;;) {
      const phase = this.#o.phases[this.#phaseIndex];
      if (phase === undefined) {
        this.#scheduled();
        return;
      }
      const nowMs = this.#runNow();
      if (nowMs >= phase.startMs && this.#announced < phase.index) {
        this.#announced = phase.index;
        this.#o.onPhase(phase.index);
      }
      if (nowMs >= phase.endMs) {
        // Whatever the phase still owed was held by the bound until now: dropped.
        while (this.#nextDue !== undefined) {
          this.#totals.dropped++;
          this.#nextDue = this.#take();
        }
        this.#enterPhase(this.#phaseIndex + 1);
        continue;
      }
      const due = this.#nextDue;
      if (due === undefined) return this.#sleepUntil(phase.endMs, false);
      if (due > nowMs) return this.#sleepUntil(due, true);
      if (this.#inFlight >= this.#o.open.maxInFlight) {
        this.#blocked = true;
        return this.#sleepUntil(phase.endMs, false);
      }
      this.#send(due, nowMs);
      this.#nextDue = this.#take();
    }
  };

  /** Wakes the pump at `runMs`: a timer to about 1 ms before, then setImmediate turns, so never early and rarely late. */
  #sleepUntil(runMs: number, precise: boolean): void {
    this.#clearTimer();
    const delay = runMs - this.#runNow();
    if (precise && delay <= spinMs) this.#timer = { immediate: setImmediate(this.#pump) };
    else this.#timer = { timeout: setTimeout(this.#pump, Math.max(0, precise ? delay - spinMs : delay)) };
  }

  #clearTimer(): void {
    const timer = this.#timer;
    if (timer === undefined) return;
    // Each kind only by its own clear function: clearImmediate on a Timeout corrupts Node's immediate queue.
    if ('timeout' in timer) clearTimeout(timer.timeout);
    else clearImmediate(timer.immediate);
    this.#timer = undefined;
  }

  #send(dueMs: number, sentMs: number): void {
    if (dueMs >= this.#freedAtMs) recordLatencyUs(this.#lag, (sentMs - dueMs) * 1000);
    const request = this.#o.mix.next();
    this.#totals.sent++;
    this.#inFlight++;
    this.#pool
      .request({
        path: request.path,
        method: request.method as 'GET',
        headers: request.headers,
        body: request.body ?? null,
      })
      .then(async (res) => {
        let bytes = 0;
        for await (const chunk of res.body) bytes += (chunk as Buffer).length;
        const endMs = this.#runNow();
        this.#completed();
        if (this.#closing) return;
        this.#totals.responses++;
        const kind = statusErrorKind(res.statusCode);
        if (kind !== undefined) this.#totals.errors++;
        this.#o.recorder.response(endMs - dueMs, bytes, kind, endMs - sentMs);
      })
      .catch((error: unknown) => {
        this.#completed();
        if (this.#closing) return;
        this.#totals.errors++;
        this.#o.recorder.failure(transportErrorKind(error));
      });
  }

  #completed(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle();
    if (this.#blocked && !this.#stopped) {
      this.#blocked = false;
      this.#freedAtMs = this.#runNow();
      this.#clearTimer();
      this.#pump();
    }
  }

  /** Waits until nothing is in flight, or `ms` has passed. */
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
}
