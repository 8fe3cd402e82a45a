/**
 * Everything one run of the lab needs, as one printable value: what to run against (the reference
 * service with its knobs, or a service the user runs), the load plan (phases, workers, fault
 * windows), the requests and the folder their CSV files are relative to, the seed and the timeouts.
 * The lab follows it and reads nothing else; `loadlab validate --json` prints it.
 *
 *   scenario ──planRun(scenario, {target?, proxyAdminUrl?, scenarioDir, maxDurationMs?})──▶ LabPlan ──▶ runLab
 */
import { loadlabError } from '../shared/index.js';
import { buildPlan, type RunPlan } from './plan.js';
import { shardPlan, type ShardSpec } from './shard-plan.js';
import type { RequestSpec, Scenario } from './schema.js';

/** What the load is driven at. */
export type LabTarget =
  | {
      /** The lab boots the reference service, its dependencies and the fault proxy. */
      kind: 'reference';
      service: Scenario['service'];
      dependencies: Scenario['dependencies'];
    }
  | {
      /** A service the user runs: nothing is booted. */
      kind: 'external';
      /** Base URL, e.g. http://127.0.0.1:3000. */
      url: string;
      /** The admin API of the user's own fault proxy, through which the plan's faults are applied. */
      proxyAdminUrl?: string;
    };

/** How long the lab waits for the things it does not control, in milliseconds. */
export interface LabTimeouts {
  /** Per request of the load generator (the scenario's `load.timeout`). */
  requestMs: number;
  /** For an external target's first answer before load starts (default 3000). */
  targetCheckMs: number;
  /** For the reference service to answer /ready (default 15000). */
  readyMs: number;
  /** Total time for one read of a target's /metrics, body included (default 800). */
  scrapeMs: number;
  /** Largest /metrics body read, bytes; a larger one fails that scrape (default 16 MiB). */
  scrapeMaxBytes: number;
  /** Total time for the final read of the target's request counter at the end of a run (default 2000). */
  finalCountMs: number;
}

/** One run of the lab, fully resolved. */
export interface LabPlan {
  /** The resolved scenario the plan was made from; the result records it. */
  scenario: Scenario;
  target: LabTarget;
  /** Phases over time, model options, workers and fault windows. */
  load: RunPlan;
  /** The request mix as written, and the folder CSV files named in its templates are relative to. */
  requests: { specs: RequestSpec[]; baseDir: string };
  /** Seed of every random draw of the run. */
  seed: number;
  timeouts: LabTimeouts;
}

/** Options of {@link planRun}. */
export interface RunPlanOptions {
  /** A service the user runs (its base URL); absent: the lab boots the reference service. */
  target?: string;
  /** With `target`: the admin API of the user's own fault proxy. */
  proxyAdminUrl?: string;
  /** The scenario file's folder: CSV files named in request templates are relative to it. */
  scenarioDir: string;
  /** Caps the run: later phases are dropped, the one crossing the cap shortened. */
  maxDurationMs?: number;
  /** Runs only this share of the plan (shard-plan.ts); it must be valid. */
  shard?: ShardSpec;
}

/** Default timeouts other than the request timeout, which comes from the scenario. */
export const defaultLabTimeouts: Omit<LabTimeouts, 'requestMs'> = {
  targetCheckMs: 3000,
  readyMs: 15_000,
  scrapeMs: 800,
  scrapeMaxBytes: 16 * 1024 * 1024,
  finalCountMs: 2000,
};

/**
 * Turns a scenario into the plan of one run. Throws BAD_PLAN when the pieces do not fit together
 * (faults against an external target with no fault proxy to apply them through; a fault proxy
 * without an external target), naming each problem.
 */
export function planRun(scenario: Scenario, options: RunPlanOptions): LabPlan {
  const whole = buildPlan(scenario, options.maxDurationMs === undefined ? {} : options);
  const load = options.shard === undefined ? whole : shardPlan(whole, options.shard);
  const problems = runPlanProblems(scenario, options);
  if (problems.length > 0) {
    throw loadlabError('BAD_PLAN', 'the run cannot be planned as asked', { problems });
  }
  const target: LabTarget =
    options.target === undefined
      ? { kind: 'reference', service: scenario.service, dependencies: scenario.dependencies }
      : {
          kind: 'external',
          url: options.target,
          ...(options.proxyAdminUrl === undefined ? {} : { proxyAdminUrl: options.proxyAdminUrl }),
        };
  return {
    scenario,
    target,
    load,
    requests: { specs: scenario.load.requests, baseDir: options.scenarioDir },
    seed: scenario.seed,
    timeouts: { requestMs: scenario.load.timeout, ...defaultLabTimeouts },
  };
}

/** Why the scenario and the options cannot make one run, each problem a sentence; empty when they can. */
export function runPlanProblems(
  scenario: Scenario,
  options: Pick<RunPlanOptions, 'target' | 'proxyAdminUrl'>,
): string[] {
  const problems: string[] = [];
  if (options.target !== undefined && options.proxyAdminUrl === undefined && scenario.faults.length > 0) {
    problems.push(
      `faults: the scenario has ${scenario.faults.length} fault(s), but an external target has no lab fault proxy to apply them through: give the admin URL of your own fault proxy, or drop the faults`,
    );
  }
  if (options.proxyAdminUrl !== undefined && options.target === undefined) {
    problems.push(
      'a fault proxy admin URL was given without an external target: the lab runs its own fault proxy in front of the reference service',
    );
  }
  return problems;
}
