/**
 * An A/B of two variants of one scenario, in one of two designs:
 *
 *   duet        repeat r: boot A and B ─▶ both reach the start line ─▶ both load at one time zero,
 *               (both at once)           same seed, so the same arrival schedule; host noise hits
 *                                        both alike and cancels in each repeat's B/A ratio
 *   interleaved A B, B A, A B … one after the other, each round in a seeded random order (RMIT),
 *               for variants that cannot run at once
 *
 * The runner only hands plans to the lab; the caller writes each run's output (`onRun`) and
 * compares the results (src/analysis `compareRunSets`, paired for a duet).
 */
import type { Random } from '../../protocol/index.js';
import { runLab, type LabEvent, type LabHandles, type LabOutcome } from '../lab/index.js';
import type { LabPlan } from '../scenario/index.js';
import { isLoadlabError, loadlabError, type LoadlabError } from '../shared/index.js';
import { interleavedOrder } from './interleaved-order.js';
import { startBarrier } from './start-barrier.js';

export type AbSide = 'a' | 'b';
export type AbMode = 'duet' | 'interleaved';

/** Progress of an A/B: a trial starting, and the lab events of each side. */
export type AbEvent =
  | { type: 'trial'; index: number; total: number; repeat: number; sides: AbSide[] }
  | { type: 'lab'; side: AbSide; event: LabEvent };

export interface AbOptions {
  plans: Record<AbSide, LabPlan>;
  mode: AbMode;
  /** Repeats of each variant (duet: pairs). */
  repeats: number;
  /** Draws the interleaved order. */
  random: Random;
  /** The lab's handles, shared by every run (the start line is the runner's). */
  handles: Omit<LabHandles, 'startAt' | 'onEvent'>;
  onEvent?: (event: AbEvent) => void;
  /** Called with every run as it ends, before the next one starts (e.g. to write its folder). */
  onRun: (side: AbSide, repeat: number, outcome: LabOutcome) => Promise<void>;
}

export interface AbOutcome {
  /** Each side's runs, in repeat order. */
  runs: Record<AbSide, LabOutcome[]>;
  /** Set when a run failed: the A/B stopped there. */
  failure?: LoadlabError;
  /** True when the caller's signal stopped the A/B early. */
  interrupted: boolean;
}

/**
 * The order in which a duet's pair `repeat` (from 1) starts its two labs: A first in odd repeats,
 * B first in even ones, so whatever favours the side whose processes and load threads start first
 * cancels over an even number of pairs (bench/results/duet-order.md measured it at p99).
 */
export function duetStartOrder(repeat: number): AbSide[] {
  return repeat % 2 === 1 ? ['a', 'b'] : ['b', 'a'];
}

/** Runs the A/B to its end, to the first failed run, or until the signal aborts. */
export async function runAb(options: AbOptions): Promise<AbOutcome> {
  const runs: Record<AbSide, LabOutcome[]> = { a: [], b: [] };
  const { signal } = options.handles;
  const trials =
    options.mode === 'duet'
      ? Array.from({ length: options.repeats }, (_, i) => ({ repeat: i + 1, sides: duetStartOrder(i + 1) }))
      : interleavedOrder<AbSide>(['a', 'b'], options.repeats, options.random).map((t) => ({
          repeat: t.repeat,
          sides: [t.variant],
        }));
  for (const [i, trial] of trials.entries()) {
    if (signal.aborted) return { runs, interrupted: true };
    options.onEvent?.({ type: 'trial', index: i + 1, total: trials.length, ...trial });
    const barrier = trial.sides.length > 1 ? startBarrier(trial.sides.length) : undefined;
    // The side that failed first is the cause; the other then fails only because the start line was cancelled.
    let cause: LoadlabError | undefined;
    const settled = await Promise.allSettled(
      trial.sides.map(async (side) => {
        try {
          return await runLab(options.plans[side], {
            ...options.handles,
            onEvent: (event) => options.onEvent?.({ type: 'lab', side, event }),
            ...(barrier === undefined ? {} : { startAt: (t: number) => barrier.arrive(t) }),
          });
        } catch (error) {
          cause ??= asFailure(error, side);
          barrier?.cancel(new Error(`variant ${side.toUpperCase()} failed before its load started`));
          throw error;
        }
      }),
    );
    let failure: LoadlabError | undefined = cause;
    // Runs are handed on in side order (A before B), whichever started first.
    const inOrder = settled
      .map((s, k) => ({ s, side: trial.sides[k] as AbSide }))
      .sort((x, y) => x.side.localeCompare(y.side));
    for (const { s, side } of inOrder) {
      if (s.status === 'rejected') {
        failure ??= asFailure(s.reason, side);
        continue;
      }
      runs[side].push(s.value);
      await options.onRun(side, trial.repeat, s.value);
      if (s.value.failure !== undefined) failure ??= s.value.failure;
    }
    if (failure !== undefined) return { runs, failure, interrupted: signal.aborted };
    if (signal.aborted) return { runs, interrupted: true };
  }
  return { runs, interrupted: false };
}

function asFailure(reason: unknown, side: AbSide): LoadlabError {
  if (isLoadlabError(reason)) return reason;
  return loadlabError(
    'LOAD_FAILED',
    `variant ${side.toUpperCase()}: ${(reason as Error).message ?? String(reason)}`,
    {
      cause: reason,
    },
  );
}
