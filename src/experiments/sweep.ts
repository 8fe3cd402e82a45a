/**
 * A sweep: every variant of a matrix, each `repeats` times, one run at a time in a seeded
 * interleaved order (each round runs every variant once, in a random order), so slow drift of the
 * host favours no variant.
 *
 *   order (seeded) ─▶ drop runs already done (resume) ─▶ for each run: lab ─▶ onRun (written)
 *                                                          │ the service failed to start, or the run
 *                                                          └ failed: onFailure; the variant's other
 *                                                            runs are skipped, the sweep goes on
 *
 * Ctrl-C (the signal) stops after the run in progress, which comes back interrupted: a resumed
 * sweep runs it again.
 */
import type { Random } from '../../protocol/index.js';
import { runLab, type LabEvent, type LabHandles, type LabOutcome } from '../lab/index.js';
import type { LabPlan } from '../scenario/index.js';
import { isLoadlabError, loadlabError, type LoadlabError } from '../shared/index.js';
import { interleavedOrder } from './interleaved-order.js';
import type { PlannedVariant } from './sweep-plan.js';

/** One run of a sweep: a variant (its 1-based index) and which of its repeats. */
export interface SweepTrial {
  variant: number;
  repeat: number;
}

/** What a sweep reports while it works. */
export type SweepEvent =
  | {
      type: 'trial';
      /** 1-based position among the runs this sweep makes (runs done before a resume, and runs of failed variants, not counted). */
      position: number;
      total: number;
      trial: SweepTrial;
      variants: number;
      repeats: number;
      /** Estimated time left, ms, this run included. */
      leftMs: number;
    }
  | { type: 'lab'; trial: SweepTrial; event: LabEvent };

export interface SweepOptions {
  variants: readonly PlannedVariant<LabPlan>[];
  repeats: number;
  /** Draws the interleaved order. */
  random: Random;
  /** Runs already complete, as `"k/r"` keys (see {@link trialKey}); skipped. */
  done?: ReadonlySet<string>;
  /** Variants already recorded as failed; their runs are skipped. */
  failed?: ReadonlySet<number>;
  handles: Omit<LabHandles, 'onEvent'>;
  /** Wall clock, ms (default Date.now): for the time left. */
  now?: () => number;
  onEvent?: (event: SweepEvent) => void;
  /** Called with every run that measured something (interrupted ones too), before the next starts. */
  onRun: (trial: SweepTrial, outcome: LabOutcome) => Promise<void>;
  /** Called when a variant fails (could not start, or its run failed); its other runs are skipped. */
  onFailure: (trial: SweepTrial, failure: LoadlabError) => Promise<void>;
}

export interface SweepOutcome {
  /** Runs made (not counting those skipped as done). */
  ran: number;
  interrupted: boolean;
}

/** The key of a trial in `done`: `"k/r"`. */
export function trialKey(trial: SweepTrial): string {
  return `${trial.variant}/${trial.repeat}`;
}

/** Every run of the sweep in its seeded order (the same seed gives the same order). */
export function sweepOrder(variants: number, repeats: number, random: Random): SweepTrial[] {
  const ids = Array.from({ length: variants }, (_, i) => String(i + 1));
  return interleavedOrder(ids, repeats, random).map((t) => ({
    variant: Number(t.variant),
    repeat: t.repeat,
  }));
}

/** The runs still to make: the order without runs done and without variants that failed. */
export function pendingTrials(
  order: readonly SweepTrial[],
  done: ReadonlySet<string>,
  failed: ReadonlySet<number>,
): SweepTrial[] {
  return order.filter((t) => !done.has(trialKey(t)) && !failed.has(t.variant));
}

/** Runs the sweep to its end, or until the signal aborts. */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const now = options.now ?? Date.now;
  const { signal } = options.handles;
  const failed = new Set(options.failed ?? []);
  const order = sweepOrder(options.variants.length, options.repeats, options.random);
  const pending = pendingTrials(order, options.done ?? new Set(), failed);
  const byIndex = new Map(options.variants.map((v) => [v.index, v]));
  const took: number[] = [];
  let ran = 0;
  let started = 0;
  for (const [i, trial] of pending.entries()) {
    if (signal.aborted) return { ran, interrupted: true };
    if (failed.has(trial.variant)) continue;
    const variant = byIndex.get(trial.variant) as PlannedVariant<LabPlan>;
    const left = pending.slice(i).filter((t) => !failed.has(t.variant));
    started++;
    options.onEvent?.({
      type: 'trial',
      position: started,
      total: started - 1 + left.length,
      trial,
      variants: options.variants.length,
      repeats: options.repeats,
      leftMs: timeLeftMs(took, left, byIndex),
    });
    const startedAt = now();
    let outcome: LabOutcome;
    try {
      outcome = await runLab(variant.plan, {
        ...options.handles,
        onEvent: (event) => options.onEvent?.({ type: 'lab', trial, event }),
      });
    } catch (error) {
      if (signal.aborted) return { ran, interrupted: true };
      failed.add(trial.variant);
      await options.onFailure(trial, asFailure(error));
      continue;
    }
    ran++;
    took.push(now() - startedAt);
    await options.onRun(trial, outcome);
    if (outcome.result.interrupted && signal.aborted) return { ran, interrupted: true };
    if (outcome.failure !== undefined) {
      failed.add(trial.variant);
      await options.onFailure(trial, outcome.failure);
    }
  }
  return { ran, interrupted: signal.aborted };
}

/** Mean time of the runs so far times the runs left; before any, each run's planned length + 3 s to start and stop. */
function timeLeftMs(
  took: readonly number[],
  left: readonly SweepTrial[],
  variants: ReadonlyMap<number, PlannedVariant<LabPlan>>,
): number {
  if (took.length > 0) return (took.reduce((a, b) => a + b, 0) / took.length) * left.length;
  return left.reduce((sum, t) => sum + (variants.get(t.variant)?.plan.load.totalMs ?? 0) + 3000, 0);
}

function asFailure(reason: unknown): LoadlabError {
  if (isLoadlabError(reason)) return reason;
  return loadlabError('LOAD_FAILED', (reason as Error).message ?? String(reason), { cause: reason });
}
