/**
 * The run plan: a scenario's phases laid out over time, as a pure function of the scenario. The
 * lab only follows the plan, and `loadlab validate` prints it.
 *
 *   0s        5s                   35s    45s
 *   |-warmup--|------steady--------|-cool-|
 *             ^ startMs of phase 1        ^ totalMs (or --duration, whichever comes first)
 */
import { loadlabError } from '../shared/errors.js';
import type { Scenario } from './schema.js';

/** One phase of the run, placed in time (milliseconds from the start of the run). */
export interface PlannedPhase {
  /** Position in the scenario's `load.phases`, from 0. */
  index: number;
  /** The phase's name, or "phase-<n>" counting from 1 when it has none. */
  name: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Connections kept busy throughout the phase. */
  connections: number;
}

/** What the lab runs: contiguous phases from 0 to `totalMs`. */
export interface RunPlan {
  phases: PlannedPhase[];
  /** Length of the whole run in milliseconds; the sum of the phases' durations. */
  totalMs: number;
  model: 'closed';
  /** Load-generating threads. */
  workers: number;
}

/** Options of {@link buildPlan}. */
export interface PlanOptions {
  /** Caps the run (from `--duration`): later phases are dropped, the one crossing the cap shortened. */
  maxDurationMs?: number;
}

/** Lays the scenario's phases out over time, optionally capped at `maxDurationMs`. */
export function buildPlan(scenario: Scenario, options: PlanOptions = {}): RunPlan {
  const cap = options.maxDurationMs ?? Infinity;
  if (!(cap > 0)) {
    throw loadlabError(
      'BAD_FLAG',
      `--duration: expected a duration greater than 0, got ${options.maxDurationMs}ms`,
    );
  }
  const phases: PlannedPhase[] = [];
  let startMs = 0;
  for (const [index, phase] of scenario.load.phases.entries()) {
    if (startMs >= cap) break;
    const durationMs = Math.min(phase.duration, cap - startMs);
    phases.push({
      index,
      name: phase.name ?? `phase-${index + 1}`,
      startMs,
      endMs: startMs + durationMs,
      durationMs,
      connections: phase.connections,
    });
    startMs += durationMs;
  }
  return { phases, totalMs: startMs, model: scenario.load.model, workers: scenario.load.workers };
}
