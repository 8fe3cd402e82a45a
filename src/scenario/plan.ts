/**
 * The run plan: a scenario's phases laid out over time, as a pure function of the scenario. The
 * lab only follows the plan, and `loadlab validate` prints it.
 *
 *   0s        5s                   35s    45s
 *   |-warmup--|------steady--------|-cool-|
 *             ^ startMs of phase 1        ^ totalMs (or --duration, whichever comes first)
 */
import { loadlabError } from '../shared/index.js';
import type { RateSpec, Scenario, ThinkTimeInput } from './schema.js';
import { planFaults, type PlannedFault } from './fault-plan.js';

/** An open-model phase's arrival rate in requests per second, ramped linearly from `from` to `to` (equal when constant). */
export interface PhaseRate {
  from: number;
  to: number;
}

/** One phase of the run, placed in time (milliseconds from the start of the run). */
export interface PlannedPhase {
  /** Position in the scenario's `load.phases`, from 0. */
  index: number;
  /** The phase's name, or "phase-<n>" counting from 1 when it has none. */
  name: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Closed model: connections kept busy throughout the phase. */
  connections?: number;
  /** Open model: arrivals per second over the phase. */
  rate?: PhaseRate;
}

/** Open-model settings of a plan. */
export interface OpenPlanOptions {
  arrivals: 'uniform' | 'poisson';
  /** Requests in flight at most over the whole run. */
  maxInFlight: number;
}

/** Closed-model settings of a plan. */
export interface ClosedPlanOptions {
  /** Requests each connection keeps in flight. */
  pipelining: number;
  /** Wait after each answer (ms): fixed, uniform in [minMs, maxMs], or exponential with mean `meanMs`. */
  thinkTime?:
    | { dist: 'constant'; ms: number }
    | { dist: 'uniform'; minMs: number; maxMs: number }
    | { dist: 'exponential'; meanMs: number };
}

/** What the lab runs: contiguous phases from 0 to `totalMs`. */
export interface RunPlan {
  /** Fault windows on the load's clock, cut at `totalMs` (see fault-plan.ts); absent means none. */
  faults?: PlannedFault[];
  phases: PlannedPhase[];
  /** Length of the whole run in milliseconds; the sum of the phases' durations. */
  totalMs: number;
  model: 'closed' | 'open';
  /** Load-generating threads. */
  workers: number;
  /** Present for the open model. */
  open?: OpenPlanOptions;
  /** Closed model: present when it pipelines or has a think time. */
  closed?: ClosedPlanOptions;
  /**
   * Present when this plan is one shard of a run split over processes (shard-plan.ts): its
   * phases then hold the shard's connections but the whole run's rate, of which it sends the
   * stripe of arrivals numbered `index` modulo `count`.
   */
  shard?: { index: number; count: number };
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
  const { load } = scenario;
  const phases: PlannedPhase[] = [];
  let startMs = 0;
  for (const [index, phase] of load.phases.entries()) {
    if (startMs >= cap) break;
    const durationMs = Math.min(phase.duration, cap - startMs);
    const timing = {
      index,
      name: phase.name ?? `phase-${index + 1}`,
      startMs,
      endMs: startMs + durationMs,
      durationMs,
    };
    if ('rate' in phase) {
      phases.push({ ...timing, rate: cutRate(phase.rate, phase.duration, durationMs) });
    } else {
      phases.push({ ...timing, connections: phase.connections });
    }
    startMs += durationMs;
  }
  const plan: RunPlan = { phases, totalMs: startMs, model: load.model, workers: load.workers };
  if (scenario.faults.length > 0) plan.faults = planFaults(scenario.faults, startMs);
  if (load.model === 'open') plan.open = { arrivals: load.arrivals, maxInFlight: load.maxInFlight };
  if (load.model === 'closed' && (load.pipelining > 1 || load.thinkTime !== undefined)) {
    plan.closed = {
      pipelining: load.pipelining,
      ...(load.thinkTime === undefined ? {} : { thinkTime: thinkTimeSpec(load.thinkTime) }),
    };
  }
  return plan;
}

/** A think time as written, as the plan carries it. */
function thinkTimeSpec(input: ThinkTimeInput): NonNullable<ClosedPlanOptions['thinkTime']> {
  if (typeof input === 'number') return { dist: 'constant', ms: input };
  if (input.dist === 'uniform') return { dist: 'uniform', minMs: input.min, maxMs: input.max };
  return { dist: 'exponential', meanMs: input.mean };
}

/** A rate as written, as a ramp over the part of the phase that runs (a cut ramp ends where it was cut). */
function cutRate(rate: RateSpec, fullMs: number, keptMs: number): PhaseRate {
  if (typeof rate === 'number') return { from: rate, to: rate };
  return { from: rate.from, to: rate.from + ((rate.to - rate.from) * keptMs) / fullMs };
}

/** Arrivals a phase plans: the integral of its rate over its duration. */
export function plannedArrivals(phase: Pick<PlannedPhase, 'rate' | 'durationMs'>): number {
  if (phase.rate === undefined) return 0;
  return ((phase.rate.from + phase.rate.to) / 2) * (phase.durationMs / 1000);
}
