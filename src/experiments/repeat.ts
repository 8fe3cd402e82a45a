/**
 * The same plan run N times, one after the other, so run-to-run noise can be measured and two
 * folders of repeats compared (src/analysis `compareRunSets`).
 */
import { runLab, type LabEvent, type LabHandles, type LabOutcome } from '../lab/index.js';
import type { LabPlan } from '../scenario/index.js';

export interface RepeatOptions {
  plan: LabPlan;
  repeats: number;
  handles: Omit<LabHandles, 'onEvent'>;
  onEvent?: (repeat: number, event: LabEvent) => void;
  /** Called with each run as it ends, before the next starts. */
  onRun: (repeat: number, outcome: LabOutcome) => Promise<void>;
}

/** Runs the repeats; stops after a failed run or when the signal aborts, returning the runs so far. */
export async function runRepeats(options: RepeatOptions): Promise<LabOutcome[]> {
  const outcomes: LabOutcome[] = [];
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    if (options.handles.signal.aborted) break;
    const outcome = await runLab(options.plan, {
      ...options.handles,
      onEvent: (event) => options.onEvent?.(repeat, event),
    });
    outcomes.push(outcome);
    await options.onRun(repeat, outcome);
    if (outcome.failure !== undefined || outcome.result.interrupted) break;
  }
  return outcomes;
}
