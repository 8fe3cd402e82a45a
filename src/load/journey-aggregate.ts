/**
 * The orchestrator's side of the journey figures: every worker's step windows merged per step
 * (one {@link LoadAggregate} each: per-second series and an exact total histogram), and their
 * end-of-run totals summed: per step its sends and checks, per flow how its journeys ended and
 * their durations (histograms merged exactly).
 */
import {
  createLatencyHistogram,
  decodeHistogram,
  mergeHistograms,
  type LatencyHistogram,
} from '../metrics/index.js';
import { flowName, stepName, type FlowSpec, type RequestSpec } from '../scenario/index.js';
import { LoadAggregate } from './aggregate.js';
import { flowsOf } from './flow-compile.js';
import { compileChecks } from './flow-check.js';
import type { JourneyTotals, ModuleErrorRecord, StepTotals, StepWindow } from './journey-figures.js';
import { createRandom } from '../../protocol/index.js';

/** A step as the result names it. */
export interface StepInfo {
  id: number;
  name: string;
  flow: string;
  /** "POST /users", or "module ./sign.mjs#sign". */
  request: string;
  /** Its checks' names, in order. */
  checks: string[];
}

/** A flow's merged figures. */
export interface FlowFigures {
  name: string;
  weight: number;
  started: number;
  completed: number;
  failed: number;
  unfinished: number;
  durations: LatencyHistogram;
}

export class JourneyAggregate {
  readonly info: StepInfo[];
  readonly steps: LoadAggregate[];
  readonly totals: StepTotals[];
  readonly flows: FlowFigures[];
  readonly moduleErrors: ModuleErrorRecord[] = [];
  moduleMs = 0;

  constructor(requests: readonly RequestSpec[], flowSpecs: readonly FlowSpec[]) {
    const flows = flowsOf(requests, flowSpecs);
    this.info = [];
    flows.forEach((flow, f) => {
      const label = flowName(flow, f);
      flow.steps.forEach((step, s) => {
        const checks = compileChecks(step.check, '', [], createRandom(0), { vars: { current: {} } }).map(
          (c) => c.name,
        );
        this.info.push({
          id: this.info.length,
          name: stepName(label, step, s),
          flow: label,
          request:
            step.module === undefined
              ? `${step.method} ${step.path ?? ''}`
              : `module ${step.module}#${step.export ?? 'default'}`,
          checks,
        });
      });
    });
    this.steps = this.info.map(() => new LoadAggregate());
    this.totals = this.info.map((i) => ({
      sent: 0,
      responses: 0,
      transportErrors: 0,
      unanswered: 0,
      errors: {},
      checks: i.checks.map((): [number, number] => [0, 0]),
    }));
    this.flows = flows.map((flow, f) => ({
      name: flowName(flow, f),
      weight: flow.weight,
      started: 0,
      completed: 0,
      failed: 0,
      unfinished: 0,
      durations: createLatencyHistogram(),
    }));
  }

  addWindow(w: StepWindow): void {
    this.steps[w.step]?.add(w.t, w.histogram, w, w.serviceHistogram);
  }

  addTotals(t: JourneyTotals): void {
    t.steps.forEach((s, i) => {
      const into = this.totals[i];
      if (into === undefined) return;
      into.sent += s.sent;
      into.responses += s.responses;
      into.transportErrors += s.transportErrors;
      into.unanswered += s.unanswered;
      for (const [kind, n] of Object.entries(s.errors)) into.errors[kind] = (into.errors[kind] ?? 0) + n;
      s.checks.forEach(([pass, fail], c) => {
        const counts = into.checks[c];
        if (counts === undefined) return;
        counts[0] += pass;
        counts[1] += fail;
      });
    });
    t.flows.forEach((f, i) => {
      const into = this.flows[i];
      if (into === undefined) return;
      into.started += f.started;
      into.completed += f.completed;
      into.failed += f.failed;
      into.unfinished += f.unfinished;
      mergeHistograms(into.durations, decodeHistogram(f.durationHistogram));
    });
    this.moduleMs += t.moduleMs;
    for (const e of t.moduleErrors) {
      const same = this.moduleErrors.find(
        (m) => m.step === e.step && (m.at ?? m.message) === (e.at ?? e.message),
      );
      if (same !== undefined) same.count += e.count;
      else this.moduleErrors.push({ ...e });
    }
  }
}
