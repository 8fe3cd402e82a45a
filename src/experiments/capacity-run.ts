/**
 * The capacity search, run: the step controller picks a rate, the lab runs a step at it, the
 * analysis judges the step; until the controller is done, a step fails, or the signal aborts.
 * The caller writes each step's folder (`onStep`) and the document; `sweep --capacity` calls this
 * once per variant.
 *
 *   nextCapacityStep(steps) ─▶ rate ─▶ capacityStepPlan ─▶ runLab ─▶ analyseRun ─▶ judgeCapacityStep
 *          ▲                                                                              │
 *          └──────────────────────────────── steps += point ◀────────────────────────────┘
 *
 * A step that missed while the generator called its host busy is run once more at the same rate
 * ({@link shouldRerun}); the first is kept in the curve marked `rerun`, and only the second counts.
 */
import {
  analyseRun,
  capacityDocument,
  judgeCapacityStep,
  type CapacityDocument,
  type CapacityOutcome,
  type CapacityPoint,
  type CapacitySettings,
} from '../analysis/index.js';
import { runLab, type LabEvent, type LabHandles, type LabOutcome } from '../lab/index.js';
import type { ResultDocument } from '../results/index.js';
import type { Scenario } from '../scenario/index.js';
import { isLoadlabError, loadlabError, type LoadlabError } from '../shared/index.js';
import {
  capacityStepPlan,
  capacityStepSlo,
  type CapacityStepShape,
  type CapacityTarget,
} from './capacity-plan.js';
import { nextCapacityStep, type CapacitySearchOptions } from './capacity-search.js';

/** Progress of a search: a step starting (with the bracket so far), its lab's events, its verdict. */
export type CapacityEvent =
  | {
      type: 'step';
      step: number;
      rate: number;
      highestHeld?: number;
      lowestMissed?: number;
    }
  | { type: 'lab'; step: number; event: LabEvent }
  | { type: 'step-done'; point: CapacityPoint };

export interface CapacityRunOptions {
  /** The resolved scenario; it must state an SLO. */
  scenario: Scenario;
  /** Where the load goes. */
  target: CapacityTarget;
  shape: CapacityStepShape;
  search: Required<Pick<CapacitySearchOptions, 'startRate'>> & CapacitySearchOptions;
  handles: Omit<LabHandles, 'onEvent'>;
  onEvent?: (event: CapacityEvent) => void;
  /** Called with each step's analysed result as it ends, before the next starts; returns the step's folder (relative), if written. */
  onStep?: (step: number, result: ResultDocument, outcome: LabOutcome) => Promise<string | undefined>;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
}

export interface CapacityRunResult {
  document: CapacityDocument;
  /** Set when a step failed (a process died, the target went away): the search stopped there. */
  failure?: LoadlabError;
  interrupted: boolean;
}

/** Runs the search; see the module comment. */
export async function runCapacitySearch(options: CapacityRunOptions): Promise<CapacityRunResult> {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const points: CapacityPoint[] = [];
  const counted = () => points.filter((p) => p.rerun !== true);
  const maxSteps = options.search.maxSteps ?? 24;
  let outcome: CapacityOutcome | undefined;
  let failure: LoadlabError | undefined;
  for (let step = 1; ; step++) {
    if (options.handles.signal.aborted) break;
    // A re-run spends a step of the budget too.
    const reruns = points.length - counted().length;
    const decision = nextCapacityStep(counted(), { ...options.search, maxSteps: maxSteps - reruns });
    if ('done' in decision) {
      outcome = decision.done;
      break;
    }
    const rate = decision.next;
    options.onEvent?.({ type: 'step', step, rate, ...bracket(counted()) });
    let lab: LabOutcome;
    try {
      const plan = capacityStepPlan(options.scenario, rate, options.shape, options.target);
      lab = await runLab(plan, {
        ...options.handles,
        onEvent: (event) => options.onEvent?.({ type: 'lab', step, event }),
      });
    } catch (error) {
      failure = isLoadlabError(error)
        ? error
        : loadlabError('LOAD_FAILED', `step ${step} failed: ${(error as Error).message}`, { cause: error });
      break;
    }
    const result = analyseRun(lab.result);
    const dir = await options.onStep?.(step, result, lab);
    const point: CapacityPoint = {
      ...judgeCapacityStep(result, rate, step),
      ...(dir === undefined ? {} : { dir }),
    };
    if (lab.failure !== undefined) failure = lab.failure;
    if (lab.failure !== undefined || result.interrupted) break;
    if (shouldRerun(point, points)) point.rerun = true;
    points.push(point);
    options.onEvent?.({ type: 'step-done', point });
  }
  const interrupted = failure === undefined && outcome === undefined;
  const settings: CapacitySettings = {
    startRate: options.search.startRate,
    precision: options.search.precision ?? 0.05,
    growth: options.search.growth ?? 2,
    maxRate: options.search.maxRate ?? 1_000_000,
    maxSteps: options.search.maxSteps ?? 24,
    stepS: options.shape.stepMs / 1000,
    warmupS: options.shape.warmupMs / 1000,
  };
  const document = capacityDocument({
    scenario: options.scenario.name,
    startedAt,
    endedAt: new Date(now()).toISOString(),
    target: options.target.target ?? 'reference service',
    settings,
    slo: capacityStepSlo(options.scenario.slo),
    steps: points,
    ...(outcome === undefined ? {} : { outcome }),
    ...(failure === undefined ? {} : { failure: { code: failure.code, message: failure.message } }),
    interrupted,
  });
  return { document, ...(failure === undefined ? {} : { failure }), interrupted };
}

/**
 * A miss is run once more when the generator called its host busy (its sends late because of
 * other work on the machine): such a miss may be the host's doing, not the service's. Once per
 * rate; the second verdict stands.
 */
function shouldRerun(point: CapacityPoint, before: readonly CapacityPoint[]): boolean {
  return (
    !point.held &&
    point.generatorLimit === undefined &&
    point.generator === 'busy-host' &&
    !before.some((p) => p.rate === point.rate)
  );
}

function bracket(points: readonly CapacityPoint[]): { highestHeld?: number; lowestMissed?: number } {
  const held = points.filter((p) => p.held).map((p) => p.rate);
  const missed = points.filter((p) => !p.held && p.generatorLimit === undefined).map((p) => p.rate);
  return {
    ...(held.length === 0 ? {} : { highestHeld: Math.max(...held) }),
    ...(missed.length === 0 ? {} : { lowestMissed: Math.min(...missed) }),
  };
}
