/**
 * The part of the journey engine both models share: starting a journey (a flow drawn by weight,
 * its `vars` set), building a step's request (rendering its templates with the journey's
 * variables, or calling its module function, timed), and judging an answer (status, checks,
 * captures), recording each into the figures. Timing and connections are the engines' own.
 */
import { performance } from 'node:perf_hooks';
import type { Random } from '../../protocol/index.js';
import { statusErrorKind } from './error-kind.js';
import { AnswerReader } from './flow-check.js';
import {
  moduleRequest,
  type CompiledFlow,
  type CompiledStep,
  type StepModuleFunction,
} from './flow-compile.js';
import type { JourneyAnswer, Keep } from './journey-connection.js';
import type { JourneyFigures } from './journey-figures.js';
import type { MixRequest } from './request-mix.js';
import { requestText } from './request-text.js';
import type { JourneyVars } from './value-generators.js';

/** One simulated user's way through a flow. */
export interface Journey {
  flow: CompiledFlow;
  vars: Record<string, string>;
  /** The step to send next (or whose answer is awaited). */
  step: number;
  /** Run-clock ms the journey began (its first step's due time or send). */
  startMs: number;
  /** Counts journeys in this worker, from 0 (module functions see it). */
  number: number;
}

/** A request ready to write. */
export interface BuiltRequest {
  text: string;
  head: boolean;
  keep: Keep;
}

/** What became of a journey after an answer. */
export type StepOutcome = 'next' | 'completed' | 'failed';

export class JourneySteps {
  readonly #flows: readonly CompiledFlow[];
  readonly #figures: JourneyFigures;
  readonly #host: string;
  readonly #random: Random;
  readonly #vars: JourneyVars;
  readonly #modules: ReadonlyMap<CompiledStep, StepModuleFunction>;
  readonly #cumulative: number[] = [];
  readonly #static = new Map<CompiledStep, BuiltRequest>();
  readonly #total: number;
  #count = 0;

  constructor(options: {
    flows: readonly CompiledFlow[];
    figures: JourneyFigures;
    hostHeader: string;
    /** Draws the flows. */
    random: Random;
    /** The holder the flows' templates were compiled against. */
    vars: JourneyVars;
    modules: ReadonlyMap<CompiledStep, StepModuleFunction>;
  }) {
    this.#flows = options.flows;
    this.#figures = options.figures;
    this.#host = options.hostHeader;
    this.#random = options.random;
    this.#vars = options.vars;
    this.#modules = options.modules;
    let total = 0;
    for (const f of this.#flows) this.#cumulative.push((total += f.weight));
    this.#total = total;
  }

  /** Starts a journey at `startMs`: draws its flow and sets its `vars`. */
  start(startMs: number): Journey {
    let i = 0;
    if (this.#flows.length > 1) {
      const target = this.#random.next() * this.#total;
      while (i < this.#flows.length - 1 && (this.#cumulative[i] as number) <= target) i++;
    }
    const flow = this.#flows[i] as CompiledFlow;
    const vars: Record<string, string> = {};
    this.#vars.current = vars;
    flow.start(vars);
    this.#figures.started(flow.index);
    return { flow, vars, step: 0, startMs, number: this.#count++ };
  }

  /**
   * The request of the journey's current step; a module step's may come as a promise. Undefined
   * when its module failed (recorded, and the journey ended as failed).
   */
  build(journey: Journey): BuiltRequest | Promise<BuiltRequest | undefined> | undefined {
    const step = journey.flow.steps[journey.step] as CompiledStep;
    if (step.render !== undefined) {
      if (step.isStatic) {
        // The same request every time, as a static request mix: serialised once.
        let built = this.#static.get(step);
        if (built === undefined) this.#static.set(step, (built = this.#built(step, step.render())));
        else this.#figures.sent(step.id);
        return built;
      }
      this.#vars.current = journey.vars;
      return this.#built(step, step.render());
    }
    const fn = this.#modules.get(step);
    if (fn === undefined)
      return this.#moduleFailed(journey, step, new Error('the module function was not loaded'));
    const began = performance.now();
    let value: unknown;
    try {
      value = fn(journey.vars, { flow: journey.flow.name, step: step.name, journey: journey.number });
    } catch (error) {
      this.#figures.moduleMs += performance.now() - began;
      return this.#moduleFailed(journey, step, error);
    }
    if (value instanceof Promise) {
      return value.then(
        (resolved: unknown) => {
          this.#figures.moduleMs += performance.now() - began;
          return this.#fromModule(journey, step, resolved);
        },
        (error: unknown) => {
          this.#figures.moduleMs += performance.now() - began;
          return this.#moduleFailed(journey, step, error);
        },
      );
    }
    this.#figures.moduleMs += performance.now() - began;
    return this.#fromModule(journey, step, value);
  }

  /**
   * Judges an answer of the journey's current step (latency in ms; open model: from the due time,
   * with the service time from the send): status, checks, captures; records it and moves the
   * journey on. A failed check is counted and the journey goes on; an unexpected status or a
   * capture that finds nothing ends it.
   */
  answer(
    journey: Journey,
    answer: JourneyAnswer,
    latencyMs: number,
    serviceMs?: number,
  ): { outcome: StepOutcome; kind: string | undefined } {
    const step = journey.flow.steps[journey.step] as CompiledStep;
    const expected = step.expectStatus;
    let kind =
      expected === undefined
        ? statusErrorKind(answer.status)
        : expected.has(answer.status)
          ? undefined
          : `${Math.floor(answer.status / 100)}xx`;
    const reader = step.checks.length > 0 || step.captures.length > 0 ? new AnswerReader(answer) : undefined;
    if (reader !== undefined && step.checks.length > 0) {
      this.#vars.current = journey.vars;
      step.checks.forEach((check, i) => this.#figures.check(step.id, i, check.test(reader)));
    }
    if (kind === undefined && reader !== undefined) {
      for (const capture of step.captures) {
        const value = capture.read(reader);
        if (value === undefined) {
          kind = 'capture';
          break;
        }
        journey.vars[capture.name] = value;
      }
    }
    this.#figures.answer(step.id, latencyMs, answer.bytes, kind, serviceMs);
    if (kind !== undefined) {
      this.#figures.ended(journey.flow.index, 'failed');
      return { outcome: 'failed', kind };
    }
    journey.step++;
    return { outcome: journey.step < journey.flow.steps.length ? 'next' : 'completed', kind };
  }

  /** The journey's current step failed without an answer. */
  failed(journey: Journey, kind: string): void {
    this.#figures.failure((journey.flow.steps[journey.step] as CompiledStep).id, kind);
    this.#figures.ended(journey.flow.index, 'failed');
  }

  /** The current step's think time after its answer (ms; 0 for none), drawn now. Call before `answer` moves on. */
  think(journey: Journey): number {
    const step = journey.flow.steps[journey.step - 1];
    return step?.think?.() ?? 0;
  }

  /** The id of the journey's current step (its figures' index). */
  stepId(journey: Journey): number {
    return (journey.flow.steps[journey.step] as CompiledStep).id;
  }

  #built(step: CompiledStep, request: MixRequest): BuiltRequest {
    this.#figures.sent(step.id);
    return { text: requestText(this.#host, request), head: request.method === 'HEAD', keep: step.needs };
  }

  #fromModule(journey: Journey, step: CompiledStep, value: unknown): BuiltRequest | undefined {
    const request = moduleRequest(value);
    if (typeof request === 'string')
      return this.#moduleFailed(
        journey,
        step,
        new Error(`${step.module?.exportName ?? 'the function'} returned no request: ${request}`),
      );
    return this.#built(step, request);
  }

  #moduleFailed(journey: Journey, step: CompiledStep, error: unknown): undefined {
    const message = error instanceof Error ? error.message : String(error);
    this.#figures.moduleError(step.id, message, moduleFrame(error, step));
    this.#figures.ended(journey.flow.index, 'failed');
    return undefined;
  }
}

/** "file:line:column" of the first frame of `error`'s stack inside the step's module, when there is one. */
export function moduleFrame(error: unknown, step: Pick<CompiledStep, 'module'>): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  const module = step.module;
  if (stack === undefined || module === undefined) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const match = /(?:file:\/\/)?(\/[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (match === null) continue;
    const path = decodeURIComponent(match[1] as string);
    if (path === module.path) return `${module.file}:${match[2]}:${match[3]}`;
  }
  return undefined;
}
