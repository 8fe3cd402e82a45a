/**
 * The open model for flows: the arrival rate starts journeys (as an open injection starts users);
 * each later step is due when the previous answer came back plus that step's think time, and its
 * latency is timed from when it was due, not from when the generator got round to sending it
 * (coordinated omission stays corrected for every step). `maxInFlight` bounds the journeys under
 * way: an arrival beyond it waits, and is dropped at its phase's end.
 *
 *   arrivals ─▶ start journey (due = arrival) ─┐
 *   due steps (a heap by due time) ────────────┴▶ pump: send each when due, on an idle connection
 *   answer ─▶ judge ─▶ next step due at answer + think ─▶ heap          (or a new one)
 *   last phase over ─▶ nothing more is sent; answers in flight get up to `drainMs`
 */
import { performance } from 'node:perf_hooks';
import type { Random } from '../../protocol/index.js';
import { createLatencyHistogram, encodeHistogram, recordLatencyUs } from '../metrics/index.js';
import { arrivalSchedule, type ArrivalSchedule } from './arrival-schedule.js';
import type { TransportErrorKind } from './error-kind.js';
import type { ConnectionTarget } from './http-connection.js';
import { JourneyConnection, type JourneyAnswer, type JourneyConnectionEvents } from './journey-connection.js';
import type { JourneyFigures } from './journey-figures.js';
import { DueHeap } from './journey-due-heap.js';
import type { BuiltRequest, Journey, JourneySteps } from './journey-steps.js';
import type { OpenEngineTotals } from './open-engine.js';
import type { WorkerOpenOptions, WorkerPhase } from './protocol.js';
import type { WindowRecorder } from './window-recorder.js';

export interface JourneyOpenOptions {
  target: ConnectionTarget;
  phases: WorkerPhase[];
  steps: JourneySteps;
  figures: JourneyFigures;
  open: WorkerOpenOptions;
  random: Random;
  timeoutMs: number;
  startEpochMs: number;
  recorder: WindowRecorder;
  onPhase: (index: number) => void;
  drainMs?: number;
  /** How long before a due time the pump stops sleeping on a timer and turns on setImmediate, ms (default 1). */
  spinMs?: number;
  /** Napping slice in those turns, ms (default 0.1). */
  napMs?: number;
}

/** A step waiting to be sent: its journey and when it is due. */
interface DueStep {
  dueMs: number;
  journey: Journey;
}

interface Pending {
  journey: Journey;
  dueMs: number;
}

const napCell = new Int32Array(new SharedArrayBuffer(4));
const napMarginMs = 0.05;

export class JourneyOpenEngine {
  readonly #o: JourneyOpenOptions;
  readonly #clockOffset: number;
  readonly #lag = createLatencyHistogram();
  readonly #due = new DueHeap<DueStep>();
  readonly #idleConnections: JourneyConnection[] = [];
  readonly #pending = new Map<JourneyConnection, Pending>();
  readonly #all = new Set<JourneyConnection>();
  readonly #events: JourneyConnectionEvents;
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
  #nextArrival: number | undefined;
  /** Journeys started and not yet ended. */
  #active = 0;
  #inFlight = 0;
  #nappedMs = 0;
  #freedAtMs = -Infinity;
  #blocked = false;
  #timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  #stopped = false;
  #over = false;
  #scheduled: () => void = () => {};
  #idle: () => void = () => {};

  constructor(options: JourneyOpenOptions) {
    this.#o = options;
    this.#clockOffset = performance.timeOrigin - options.startEpochMs;
    this.#events = {
      onAnswer: (connection, answer) => this.#answered(connection, answer),
      onFailure: (connection, kind, pending) => this.#failed(connection, kind, pending),
    };
  }

  async run(): Promise<OpenEngineTotals> {
    const ticker = setInterval(
      () => this.#checkTimeouts(),
      Math.min(250, Math.max(10, this.#o.timeoutMs / 4)),
    );
    try {
      await new Promise<void>((resolve) => {
        this.#scheduled = resolve;
        this.#enterPhase(0);
        this.#pump();
      });
      this.#over = true;
      this.#clearTimer();
      if (!this.#stopped) await this.#drain(this.#o.drainMs ?? Math.min(this.#o.timeoutMs, 1000));
    } finally {
      clearInterval(ticker);
      this.#clearTimer();
      this.#closeAll();
    }
    return { ...this.#totals, lagHistogram: encodeHistogram(this.#lag) };
  }

  get nappedMs(): number {
    return this.#nappedMs;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimer();
    this.#idle();
    this.#scheduled();
  }

  #now(): number {
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
    this.#nextArrival = this.#take();
  }

  #take(): number | undefined {
    const due = this.#schedule?.next();
    if (due !== undefined) this.#totals.planned++;
    return due;
  }

  readonly #pump = (): void => {
    this.#timer = undefined;
    this.#blocked = false;
    if (this.#stopped || this.#over) return;
    for (;;) {
      const phase = this.#o.phases[this.#phaseIndex];
      if (phase === undefined) {
        this.#scheduled();
        return;
      }
      const nowMs = this.#now();
      if (nowMs >= phase.startMs && this.#announced < phase.index) {
        this.#announced = phase.index;
        this.#o.onPhase(phase.index);
      }
      // Steps of journeys under way first: they are never held by the bound.
      const step = this.#due.peek();
      if (step !== undefined && step.dueMs <= nowMs && step.dueMs < this.#runEndMs()) {
        this.#due.pop();
        this.#send(step.journey, step.dueMs, nowMs);
        continue;
      }
      const atBound = this.#active >= this.#o.open.maxInFlight;
      if (nowMs >= phase.endMs && (this.#nextArrival === undefined || atBound)) {
        let dropped = 0;
        while (this.#nextArrival !== undefined) {
          dropped++;
          this.#nextArrival = this.#take();
        }
        this.#totals.dropped += dropped;
        this.#o.recorder.dropped(dropped);
        this.#enterPhase(this.#phaseIndex + 1);
        continue;
      }
      const arrival = this.#nextArrival;
      if (arrival !== undefined && arrival <= nowMs && !atBound) {
        this.#nextArrival = this.#take();
        this.#active++;
        this.#send(this.#o.steps.start(arrival), arrival, nowMs);
        continue;
      }
      this.#blocked = arrival !== undefined && atBound;
      let wake = phase.endMs;
      if (arrival !== undefined && !atBound) wake = Math.min(wake, arrival);
      if (step !== undefined && step.dueMs < this.#runEndMs()) wake = Math.min(wake, step.dueMs);
      return this.#sleepUntil(wake);
    }
  };

  #runEndMs(): number {
    return this.#o.phases[this.#o.phases.length - 1]?.endMs ?? 0;
  }

  #sleepUntil(runMs: number): void {
    this.#clearTimer();
    let delay = runMs - this.#now();
    const spinMs = this.#o.spinMs ?? 1;
    const napMs = this.#o.napMs ?? 0.1;
    if (delay <= spinMs) {
      if (napMs > 0 && delay > napMarginMs) {
        Atomics.wait(napCell, 0, 0, Math.min(napMs, delay - napMarginMs));
        const after = runMs - this.#now();
        this.#nappedMs += delay - after;
        delay = after;
      }
      this.#timer = { immediate: setImmediate(this.#pump) };
      return;
    }
    this.#timer = { timeout: setTimeout(this.#pump, Math.max(0, delay - spinMs)) };
  }

  #clearTimer(): void {
    const timer = this.#timer;
    if (timer === undefined) return;
    if ('timeout' in timer) clearTimeout(timer.timeout);
    else clearImmediate(timer.immediate);
    this.#timer = undefined;
  }

  /** Builds and sends the journey's current step, due at `dueMs`. */
  #send(journey: Journey, dueMs: number, nowMs: number): void {
    const built = this.#o.steps.build(journey);
    if (built instanceof Promise) {
      void built.then((request) => this.#write(journey, dueMs, request));
      return;
    }
    this.#write(journey, dueMs, built, nowMs);
  }

  #write(journey: Journey, dueMs: number, request: BuiltRequest | undefined, at?: number): void {
    if (request === undefined) return this.#journeyEnded();
    if (this.#stopped || this.#over) {
      this.#o.figures.ended(journey.flow.index, 'unfinished');
      return this.#journeyEnded();
    }
    const sentMs = at ?? this.#now();
    if (dueMs >= this.#freedAtMs) recordLatencyUs(this.#lag, (sentMs - dueMs) * 1000);
    let connection = this.#idleConnections.pop();
    while (connection?.closed === true) connection = this.#idleConnections.pop();
    if (connection === undefined) {
      connection = new JourneyConnection(this.#o.target, this.#events);
      this.#all.add(connection);
    }
    this.#totals.sent++;
    this.#inFlight++;
    this.#pending.set(connection, { journey, dueMs });
    connection.send(request.text, sentMs, request.keep, request.head);
  }

  #answered(connection: JourneyConnection, answer: JourneyAnswer): void {
    const endMs = this.#now();
    const pending = this.#pending.get(connection);
    this.#pending.delete(connection);
    if (!connection.closed) this.#idleConnections.push(connection);
    this.#totals.responses++;
    this.#settled();
    if (pending === undefined) return;
    const { journey, dueMs } = pending;
    const latencyMs = endMs - dueMs;
    const { outcome, kind } = this.#o.steps.answer(journey, answer, latencyMs, endMs - connection.sentMs);
    if (kind !== undefined && kind !== 'capture') this.#totals.statusErrors++;
    this.#o.recorder.response(latencyMs, answer.bytes, kind, endMs - connection.sentMs);
    if (outcome === 'next') {
      this.#due.push({ dueMs: endMs + this.#o.steps.think(journey), journey });
      this.#wakeFor(endMs);
      return;
    }
    if (outcome === 'completed')
      this.#o.figures.ended(journey.flow.index, 'completed', endMs - journey.startMs);
    this.#journeyEnded();
  }

  #failed(connection: JourneyConnection, kind: TransportErrorKind, pending: boolean): void {
    this.#all.delete(connection);
    const p = this.#pending.get(connection);
    this.#pending.delete(connection);
    if (!pending || p === undefined) return;
    this.#totals.transportErrors++;
    this.#o.recorder.failure(kind);
    this.#settled();
    this.#o.steps.failed(p.journey, kind);
    this.#journeyEnded();
  }

  /** A journey ended: a slot under the bound is free again. */
  #journeyEnded(): void {
    this.#active--;
    if (this.#blocked && !this.#stopped && !this.#over) {
      this.#blocked = false;
      this.#freedAtMs = this.#now();
      this.#clearTimer();
      this.#pump();
    }
  }

  /** A step became due at `dueMs`: wake the pump sooner when it sleeps past it. */
  #wakeFor(_dueMs: number): void {
    if (this.#stopped || this.#over) return;
    this.#clearTimer();
    this.#pump();
  }

  #settled(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle();
  }

  #checkTimeouts(): void {
    const limit = this.#now() - this.#o.timeoutMs;
    for (const c of this.#all) if (c.busy && c.sentMs < limit) c.timeOut();
  }

  #closeAll(): void {
    const endMs = this.#now();
    for (const c of this.#all) {
      const p = this.#pending.get(c);
      if (c.close() && p !== undefined) {
        this.#totals.unanswered++;
        this.#o.recorder.unanswered(endMs - p.dueMs, endMs - c.sentMs);
        this.#o.figures.unanswered(this.#o.steps.stepId(p.journey), endMs - p.dueMs, endMs - c.sentMs);
        this.#o.figures.ended(p.journey.flow.index, 'unfinished');
      }
    }
    for (const { journey } of this.#due.drain()) this.#o.figures.ended(journey.flow.index, 'unfinished');
    this.#all.clear();
    this.#pending.clear();
    this.#idleConnections.length = 0;
    this.#inFlight = 0;
  }

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
