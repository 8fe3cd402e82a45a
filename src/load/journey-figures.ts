/**
 * What the journey engine counts, in a worker: every request in the run's windows as the plain mix
 * does (so totals, series and progress mean the same), and besides, per step, its own one-second
 * windows (histogram, answers, errors by kind), its sends and how they ended, its checks, and per
 * flow how journeys ended and how long they took.
 */
import type { CompiledFlow } from './flow-compile.js';
import { createLatencyHistogram, encodeHistogram, recordLatencyUs } from '../metrics/index.js';
import type { WindowRecorder } from './window-recorder.js';
import { type EncodedWindow } from './window-recorder.js';

/** One step's counts over the run, in one worker. */
export interface StepTotals {
  sent: number;
  /** Answers, any status. */
  responses: number;
  /** Requests that got no answer: timeout, reset, refused, framing, other. */
  transportErrors: number;
  unanswered: number;
  /** Errors by kind ("4xx", "5xx", "capture", "module", "timeout", ...). */
  errors: Record<string, number>;
  /** Per check, in the step's order: [passes, failures]. */
  checks: [number, number][];
}

/** How one flow's journeys ended, in one worker. */
export interface FlowTotals {
  started: number;
  /** Every step answered as expected and every capture found its value. */
  completed: number;
  /** Ended early by an error, a capture that found nothing, or a module that threw. */
  failed: number;
  /** Still under way when the run ended. */
  unfinished: number;
  /** Durations of completed journeys (µs, first due or send to last answer), encoded. */
  durationHistogram: string;
}

/** A module step's error: where in the module, and how often. */
export interface ModuleErrorRecord {
  step: number;
  /** "file:line:column" in the module, when the stack names it. */
  at?: string;
  message: string;
  count: number;
}

/** Everything the journey engine adds to a worker's `done` message. */
export interface JourneyTotals {
  steps: StepTotals[];
  flows: FlowTotals[];
  /** Time spent in module step functions, ms. */
  moduleMs: number;
  moduleErrors: ModuleErrorRecord[];
}

/** A step's window, as posted to the orchestrator. */
export interface StepWindow extends EncodedWindow {
  step: number;
}

export class JourneyFigures {
  readonly #recorders: WindowRecorder[];
  readonly steps: StepTotals[];
  readonly #flows: (Omit<FlowTotals, 'durationHistogram'> & {
    durations: ReturnType<typeof createLatencyHistogram>;
  })[];
  readonly #moduleErrors = new Map<string, ModuleErrorRecord>();
  moduleMs = 0;

  constructor(flows: readonly CompiledFlow[], makeRecorder: () => WindowRecorder) {
    const steps = flows.flatMap((f) => f.steps);
    this.#recorders = steps.map(() => makeRecorder());
    this.steps = steps.map((s) => ({
      sent: 0,
      responses: 0,
      transportErrors: 0,
      unanswered: 0,
      errors: {},
      checks: s.checks.map((): [number, number] => [0, 0]),
    }));
    this.#flows = flows.map(() => ({
      started: 0,
      completed: 0,
      failed: 0,
      unfinished: 0,
      durations: createLatencyHistogram(),
    }));
  }

  sent(step: number): void {
    (this.steps[step] as StepTotals).sent++;
  }

  /** An answer of `step`: latency (ms; open model: from the due time, with the service time from the send). */
  answer(step: number, latencyMs: number, bytes: number, kind: string | undefined, serviceMs?: number): void {
    const s = this.steps[step] as StepTotals;
    s.responses++;
    if (kind !== undefined) s.errors[kind] = (s.errors[kind] ?? 0) + 1;
    this.#recorders[step]?.response(latencyMs, bytes, kind, serviceMs);
  }

  check(step: number, check: number, passed: boolean): void {
    const c = (this.steps[step] as StepTotals).checks[check];
    if (c !== undefined) c[passed ? 0 : 1]++;
  }

  failure(step: number, kind: string): void {
    const s = this.steps[step] as StepTotals;
    s.transportErrors++;
    s.errors[kind] = (s.errors[kind] ?? 0) + 1;
    this.#recorders[step]?.failure(kind);
  }

  unanswered(step: number, ageMs: number, serviceAgeMs?: number): void {
    const s = this.steps[step] as StepTotals;
    s.unanswered++;
    s.errors.unanswered = (s.errors.unanswered ?? 0) + 1;
    this.#recorders[step]?.unanswered(ageMs, serviceAgeMs);
  }

  /** A module step's function threw or returned no request: no request was sent. */
  moduleError(step: number, message: string, at: string | undefined): void {
    const s = this.steps[step] as StepTotals;
    s.errors.module = (s.errors.module ?? 0) + 1;
    this.#recorders[step]?.failure('module');
    // Grouped by where in the module it was thrown (the first message kept), else by message.
    const key = `${step}\n${at ?? message}`;
    const seen = this.#moduleErrors.get(key);
    if (seen !== undefined) seen.count++;
    else if (this.#moduleErrors.size < 20)
      this.#moduleErrors.set(key, { step, ...(at === undefined ? {} : { at }), message, count: 1 });
  }

  started(flow: number): void {
    const f = this.#flows[flow];
    if (f !== undefined) f.started++;
  }

  ended(flow: number, how: 'completed' | 'failed' | 'unfinished', durationMs?: number): void {
    const f = this.#flows[flow];
    if (f === undefined) return;
    f[how]++;
    if (how === 'completed' && durationMs !== undefined)
      recordLatencyUs(f.durations, Math.round(durationMs * 1000));
  }

  /** Every step's windows the clock has left (all with `all`). */
  flush(all: boolean): StepWindow[] {
    return this.#recorders.flatMap((r, step) => r.flush(all).map((w) => ({ ...w, step })));
  }

  totals(): JourneyTotals {
    return {
      steps: this.steps,
      flows: this.#flows.map(({ durations, ...f }) => ({
        ...f,
        durationHistogram: encodeHistogram(durations),
      })),
      moduleMs: this.moduleMs,
      moduleErrors: [...this.#moduleErrors.values()],
    };
  }
}
