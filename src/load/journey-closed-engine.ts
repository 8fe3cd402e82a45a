/**
 * The closed model for flows: each of a phase's connections is one simulated user who runs
 * journeys one after another on its own keep-alive connection: a step, its answer, the step's
 * think time, the next step; after the last step (or a failed one) the next journey starts, after
 * `load.thinkTime` when there is one. Latency counts from each request's send.
 *
 *   user: start journey ─▶ build step ─▶ send ─▶ answer: judge ─▶ think ─▶ next step ...
 *                                           │ failure: record, reconnect, next journey
 *   phase end: users beyond the next phase's count finish their step and stop
 *   run end: no more sends; answers in flight get up to `drainMs`, the rest are "unanswered"
 */
import { performance } from 'node:perf_hooks';
import type { TransportErrorKind } from './error-kind.js';
import type { ConnectionTarget } from './http-connection.js';
import { JourneyConnection, type JourneyAnswer, type JourneyConnectionEvents } from './journey-connection.js';
import type { Journey, JourneySteps, BuiltRequest } from './journey-steps.js';
import type { JourneyFigures } from './journey-figures.js';
import type { EngineTotals, WorkerPhase } from './protocol.js';
import type { WindowRecorder } from './window-recorder.js';

export interface JourneyClosedOptions {
  target: ConnectionTarget;
  phases: WorkerPhase[];
  steps: JourneySteps;
  figures: JourneyFigures;
  /** Draws the wait between one journey and the next (ms); undefined for none. */
  thinkTime: (() => number) | undefined;
  timeoutMs: number;
  startEpochMs: number;
  recorder: WindowRecorder;
  onPhase: (index: number) => void;
  drainMs?: number;
}

interface User {
  connection: JourneyConnection | undefined;
  journey: Journey | undefined;
  retired: boolean;
  timer: NodeJS.Timeout | undefined;
}

const refusedBackoffMs = 100;

export class JourneyClosedEngine {
  readonly #o: JourneyClosedOptions;
  readonly #totals: EngineTotals = {
    sent: 0,
    responses: 0,
    statusErrors: 0,
    transportErrors: 0,
    unanswered: 0,
  };
  readonly #users = new Set<User>();
  readonly #byConnection = new Map<JourneyConnection, User>();
  readonly #clockOffset: number;
  readonly #events: JourneyConnectionEvents;
  #running = false;
  #stopped = false;
  #inFlight = 0;
  #wake: () => void = () => {};
  #idle: () => void = () => {};

  constructor(options: JourneyClosedOptions) {
    this.#o = options;
    this.#clockOffset = performance.timeOrigin - options.startEpochMs;
    this.#events = {
      onAnswer: (connection, answer) => this.#answered(connection, answer),
      onFailure: (connection, kind, pending) => this.#failed(connection, kind, pending),
    };
  }

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
      for (const user of this.#users) this.#clearTimer(user);
      if (!this.#stopped) await this.#drain(this.#o.drainMs ?? Math.min(this.#o.timeoutMs, 1000));
    } finally {
      clearInterval(ticker);
      this.#running = false;
      this.#closeAll();
    }
    return { ...this.#totals };
  }

  stop(): void {
    this.#stopped = true;
    this.#running = false;
    this.#wake();
    this.#idle();
  }

  #now(): number {
    return performance.now() + this.#clockOffset;
  }

  #resize(count: number): void {
    let working = 0;
    for (const user of this.#users) {
      if (user.retired) continue;
      if (working < count) working++;
      else {
        user.retired = true;
        this.#clearTimer(user);
        if (user.connection?.busy !== true) this.#drop(user);
      }
    }
    for (; working < count; working++) {
      const user: User = { connection: undefined, journey: undefined, retired: false, timer: undefined };
      this.#users.add(user);
      this.#nextJourney(user, 0);
    }
  }

  #drop(user: User): void {
    this.#clearTimer(user);
    if (user.journey !== undefined) this.#o.figures.ended(user.journey.flow.index, 'unfinished');
    user.journey = undefined;
    if (user.connection !== undefined) {
      this.#byConnection.delete(user.connection);
      user.connection.close();
    }
    this.#users.delete(user);
  }

  /** Starts the user's next journey after `waitMs` (and the between-journeys think time). */
  #nextJourney(user: User, waitMs: number): void {
    user.journey = undefined;
    const think = this.#o.thinkTime?.() ?? 0;
    this.#later(user, waitMs + think, () => {
      user.journey = this.#o.steps.start(this.#now());
      this.#sendStep(user);
    });
  }

  #later(user: User, ms: number, then: () => void): void {
    const go = (): void => {
      user.timer = undefined;
      if (this.#running && !user.retired) then();
      else if (user.retired) this.#drop(user);
    };
    if (ms <= 0) return go();
    user.timer = setTimeout(go, ms);
  }

  #sendStep(user: User): void {
    const journey = user.journey;
    if (journey === undefined) return;
    const built = this.#o.steps.build(journey);
    if (built instanceof Promise) {
      void built.then((request) => this.#write(user, journey, request));
      return;
    }
    this.#write(user, journey, built);
  }

  #write(user: User, journey: Journey, request: BuiltRequest | undefined): void {
    if (request === undefined) {
      // The module failed (recorded): the journey ended; the next one starts on a later turn.
      setImmediate(() => this.#nextJourney(user, 0));
      return;
    }
    if (!this.#running || user.retired || user.journey !== journey) {
      this.#o.figures.ended(journey.flow.index, 'unfinished');
      if (user.journey === journey) user.journey = undefined;
      if (user.retired) this.#drop(user);
      return;
    }
    let connection = user.connection;
    if (connection === undefined || connection.closed) {
      connection = new JourneyConnection(this.#o.target, this.#events);
      user.connection = connection;
      this.#byConnection.set(connection, user);
    }
    this.#totals.sent++;
    this.#inFlight++;
    connection.send(request.text, this.#now(), request.keep, request.head);
  }

  #answered(connection: JourneyConnection, answer: JourneyAnswer): void {
    const endMs = this.#now();
    const user = this.#byConnection.get(connection);
    this.#settled();
    this.#totals.responses++;
    if (user?.journey === undefined) return;
    const journey = user.journey;
    const latencyMs = endMs - connection.sentMs;
    const { outcome, kind } = this.#o.steps.answer(journey, answer, latencyMs);
    if (kind !== undefined && kind !== 'capture') this.#totals.statusErrors++;
    this.#o.recorder.response(latencyMs, answer.bytes, kind);
    if (outcome === 'completed')
      this.#o.figures.ended(journey.flow.index, 'completed', endMs - journey.startMs);
    if (outcome !== 'next') user.journey = undefined;
    if (user.retired) return this.#drop(user);
    if (outcome !== 'next') return this.#nextJourney(user, 0);
    const think = this.#o.steps.think(journey);
    this.#later(user, think, () => this.#sendStep(user));
  }

  #failed(connection: JourneyConnection, kind: TransportErrorKind, pending: boolean): void {
    const user = this.#byConnection.get(connection);
    this.#byConnection.delete(connection);
    if (user !== undefined && user.connection === connection) user.connection = undefined;
    if (!pending) return;
    this.#settled();
    this.#totals.transportErrors++;
    this.#o.recorder.failure(kind);
    if (user?.journey === undefined) return;
    this.#o.steps.failed(user.journey, kind);
    user.journey = undefined;
    if (user.retired) return this.#drop(user);
    if (this.#running) this.#nextJourney(user, kind === 'refused' ? refusedBackoffMs : 0);
  }

  #settled(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle();
  }

  #clearTimer(user: User): void {
    if (user.timer !== undefined) clearTimeout(user.timer);
    user.timer = undefined;
  }

  #closeAll(): void {
    const endMs = this.#now();
    for (const user of this.#users) {
      this.#clearTimer(user);
      const connection = user.connection;
      if (connection !== undefined && connection.close() && user.journey !== undefined) {
        this.#totals.unanswered++;
        this.#o.recorder.unanswered(endMs - connection.sentMs);
        this.#o.figures.unanswered(this.#o.steps.stepId(user.journey), endMs - connection.sentMs);
      }
      if (user.journey !== undefined) this.#o.figures.ended(user.journey.flow.index, 'unfinished');
      user.journey = undefined;
    }
    this.#users.clear();
    this.#byConnection.clear();
    this.#inFlight = 0;
  }

  #checkTimeouts(): void {
    const limit = this.#now() - this.#o.timeoutMs;
    for (const user of this.#users) {
      const c = user.connection;
      if (c?.busy === true && c.sentMs < limit) c.timeOut();
    }
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
