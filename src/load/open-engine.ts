/**
 * The open-model engine of one worker thread: sends each request when it is due, whatever the
 * answers do, over keep-alive raw-socket connections (one request in flight on each, a new one
 * opened when all are busy, up to maxInFlight), and times it from its due time (coordinated
 * omission) as well as from its actual send (service time).
 *
 *   schedule ─▶ nextDue ─▶ pump ──send──▶ idle connection (or a new one) ──▶ target
 *                  ▲        │ not due yet: timer to `spinMs` before, then setImmediate turns
 *                  │        │ due: send every due one in this loop turn (never early)
 *                  │        │ maxInFlight reached: wait for a completion; at the phase's end
 *                  │        │   the arrivals still unsent are dropped
 *                  └────────┘ completion: record (end − due) and (end − send); wake the pump
 *   last phase over (or stop) ─▶ wait up to `drainMs` for answers in flight (not after a stop);
 *                                 whatever is still unanswered is recorded at its age as
 *                                 "unanswered" (from its due time, and from its send)
 *
 * Why the last stretch is spun rather than slept: libuv's timers have millisecond granularity
 * and wake up to ~1 ms late (more on a busy machine), so a timer alone cannot keep the send lag
 * under 1 ms; setImmediate turns still poll the sockets, so answers are handled while waiting.
 */
import { performance } from 'node:perf_hooks';
import type { Random } from '../../protocol/index.js';
import { arrivalSchedule, type ArrivalSchedule } from './arrival-schedule.js';
import type { TransportErrorKind } from './error-kind.js';
import { ConnectionPool } from './connection-pool.js';
import type { ConnectionEvents, Connector } from './load-connection.js';
import { createLatencyHistogram, encodeHistogram, recordLatencyUs } from '../metrics/index.js';
import type { EngineTotals, OpenTotals, WorkerOpenOptions, WorkerPhase } from './protocol.js';
import type { SerializedRequest } from './request-text.js';
import type { WindowRecorder } from './window-recorder.js';

export interface OpenEngineOptions {
  /** Opens a connection to the target (HTTP/1.1, or a channel of an HTTP/2 connection). */
  connect: Connector;
  phases: WorkerPhase[];
  /** The next request to send. */
  nextRequest: () => SerializedRequest;
  /** The error kind of an answer's status, undefined for a success. */
  checkStatus: (index: number, status: number) => string | undefined;
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
  /** How long before a due time the pump stops sleeping on a timer and turns on setImmediate, ms (default 1). */
  spinMs?: number;
  /** In those turns, how long each naps (ms, default 0.1; 0 spins without napping). */
  napMs?: number;
}

/** A cell nobody notifies: Atomics.wait on it is a precise sleep. */
const napCell = new Int32Array(new SharedArrayBuffer(4));
/** A nap ends this long before the due time, ms: waking from one takes some tens of µs. */
const napMarginMs = 0.05;

/**
 * Connections being opened at once, at most: when every connection is busy and this many are
 * still connecting, due requests wait for one to connect, answer or fail (their scheduling lag
 * is left out, as for requests held by maxInFlight; they are never dropped for it).
 */
const maxConnecting = 32;

/** A request in flight: when it was due, and which request of the mix it is. */
interface OpenTag {
  dueMs: number;
  index: number;
}

/** What one open-model worker counted. */
export interface OpenEngineTotals extends OpenTotals, EngineTotals {}

/** Runs an open-model load; `stop()` ends it early. */
export class OpenEngine {
  readonly #o: OpenEngineOptions;
  readonly #pool: ConnectionPool<OpenTag>;
  readonly #clockOffset: number;
  readonly #spinMs: number;
  readonly #napMs: number;
  readonly #lag = createLatencyHistogram();
  readonly #totals = {
    sent: 0,
    responses: 0,
    statusErrors: 0,
    transportErrors: 0,
    unanswered: 0,
    dropped: 0,
    planned: 0,
  };
  #phaseIndex = -1;
  #announced = -1;
  #schedule: ArrivalSchedule | undefined;
  #nextDue: number | undefined;
  #inFlight = 0;
  #nappedMs = 0;
  #blocked = false;
  /** Run-clock ms when the bound last freed a slot after being full: arrivals due before it were held. */
  #freedAtMs = -Infinity;
  #timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  #stopped = false;
  #scheduled: () => void = () => {};
  #idle: () => void = () => {};

  constructor(options: OpenEngineOptions) {
    this.#o = options;
    this.#clockOffset = performance.timeOrigin - options.startEpochMs;
    this.#spinMs = options.spinMs ?? 1;
    this.#napMs = options.napMs ?? 0.1;
    const events: ConnectionEvents<OpenTag> = {
      onResponse: (_connection, tag, status, bytes, sentMs) => {
        const endMs = this.#runNow();
        this.#totals.responses++;
        const kind = this.#o.checkStatus(tag.index, status);
        if (kind !== undefined) this.#totals.statusErrors++;
        this.#o.recorder.response(endMs - tag.dueMs, bytes, kind, endMs - sentMs, endMs);
        this.#completed(1);
      },
      onFailure: (_connection, tags, kind) => this.#failed(tags.length, kind),
      onConnect: () => this.#unblock(),
    };
    this.#pool = new ConnectionPool(options.connect, events, maxConnecting);
  }

  /**
   * Runs every phase, waits a little for answers still in flight, and returns the counts;
   * requests still unanswered then are recorded as "unanswered" at their age.
   */
  async run(): Promise<OpenEngineTotals> {
    const ticker = setInterval(
      () => this.#checkTimeouts(),
      Math.min(100, Math.max(10, this.#o.timeoutMs / 4)),
    );
    await new Promise<void>((resolve) => {
      this.#scheduled = resolve;
      if (this.#stopped) return resolve();
      this.#enterPhase(0);
      this.#pump();
    });
    if (!this.#stopped) await this.#drain(this.#o.drainMs ?? Math.min(this.#o.timeoutMs, 1000));
    clearInterval(ticker);
    const endMs = this.#runNow();
    for (const u of this.#pool.closeAll()) {
      this.#totals.unanswered++;
      this.#o.recorder.unanswered(endMs - u.tag.dueMs, endMs - u.sentMs);
    }
    this.#inFlight = 0;
    return { ...this.#totals, lagHistogram: encodeHistogram(this.#lag) };
  }

  /** Time spent napping so far, ms: the event loop counts it as busy, though the thread slept. */
  get nappedMs(): number {
    return this.#nappedMs;
  }

  /** Stops scheduling at once; requests in flight are recorded as unanswered at their age. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimer();
    this.#idle();
    this.#scheduled();
  }

  #runNow(): number {
    return performance.now() + this.#clockOffset;
  }

  #enterPhase(index: number): void {
    this.#phaseIndex = index;
    const phase = this.#o.phases[index];
    this.#schedule =
      phase?.rate === undefined
        ? undefined
        : arrivalSchedule(
            { startMs: phase.startMs, endMs: phase.endMs, rate: phase.rate },
            {
              arrivals: this.#o.open.arrivals,
              random: this.#o.random,
              lane: this.#o.open.lane,
              lanes: this.#o.open.lanes,
            },
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
      const atBound = this.#inFlight >= this.#o.open.maxInFlight;
      if (nowMs >= phase.endMs && (this.#nextDue === undefined || atBound)) {
        // Whatever the phase still owes was held by the bound until its end: dropped. (Arrivals
        // merely overdue because the pump woke late are still sent, below.)
        let dropped = 0;
        while (this.#nextDue !== undefined) {
          dropped++;
          this.#nextDue = this.#take();
        }
        this.#totals.dropped += dropped;
        // Into this second's window too, so the progress line can show drops while the run goes.
        this.#o.recorder.dropped(dropped);
        this.#enterPhase(this.#phaseIndex + 1);
        continue;
      }
      const due = this.#nextDue;
      if (due === undefined) return this.#sleepUntil(phase.endMs, false);
      if (due > nowMs) return this.#sleepUntil(due, true);
      if (atBound) {
        this.#blocked = true;
        return this.#sleepUntil(phase.endMs, false);
      }
      if (!this.#pool.canSend()) {
        // Waiting for a connection to connect, answer or fail; each of those wakes the pump.
        // Not a drop at the phase's end: only the bound drops.
        this.#blocked = true;
        this.#clearTimer();
        return;
      }
      this.#send(due, nowMs);
      this.#nextDue = this.#take();
    }
  };

  /** Wakes the pump at `runMs`: a timer to about 1 ms before, then setImmediate turns, so never early and rarely late. */
  #sleepUntil(runMs: number, precise: boolean): void {
    this.#clearTimer();
    let delay = runMs - this.#runNow();
    if (precise && delay <= this.#spinMs) {
      // Nap (a futex wait, microsecond precise, the CPU given back) for a slice, then poll the
      // sockets with a setImmediate turn: answers wait at most one slice to be read.
      if (this.#napMs > 0 && delay > napMarginMs) {
        Atomics.wait(napCell, 0, 0, Math.min(this.#napMs, delay - napMarginMs));
        const after = runMs - this.#runNow();
        this.#nappedMs += delay - after;
        delay = after;
      }
      this.#timer = { immediate: setImmediate(this.#pump) };
      return;
    }
    if (precise && delay <= this.#spinMs) this.#timer = { immediate: setImmediate(this.#pump) };
    else
      this.#timer = { timeout: setTimeout(this.#pump, Math.max(0, precise ? delay - this.#spinMs : delay)) };
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
    const request = this.#o.nextRequest();
    this.#totals.sent++;
    this.#inFlight++;
    this.#pool.acquire().write(request, { dueMs, index: request.index }, sentMs);
  }

  #failed(lost: number, kind: TransportErrorKind): void {
    if (lost === 0) return this.#unblock();
    // Once the pool is closing, closed connections report nothing: every failure here is ours.
    this.#totals.transportErrors += lost;
    for (let i = 0; i < lost; i++) this.#o.recorder.failure(kind);
    this.#completed(lost);
  }

  #completed(n: number): void {
    this.#inFlight -= n;
    if (this.#inFlight === 0) this.#idle();
    this.#unblock();
  }

  /** Wakes a pump held by the bound or by connections being opened. */
  #unblock(): void {
    if (this.#blocked && !this.#stopped) {
      this.#blocked = false;
      this.#freedAtMs = this.#runNow();
      this.#clearTimer();
      this.#pump();
    }
  }

  #checkTimeouts(): void {
    this.#pool.timeOutOlderThan(this.#runNow() - this.#o.timeoutMs);
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
