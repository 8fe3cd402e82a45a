/**
 * The plan of one capacity step: the scenario's request mix, service, dependencies and faults,
 * with its phases replaced by a warm-up and a steady phase at one constant arrival rate (open
 * model), and its SLOs judged over the steady phase only. Pure.
 *
 *   0          warmupMs                     stepMs
 *   |--warmup---|----------steady-----------|     rate r/s throughout; SLO: during phase:steady
 */
import { steadyPhaseName } from '../analysis/index.js';
import { planRun, sloEntries, type LabPlan, type Scenario, type SloEntry } from '../scenario/index.js';

/** The shape of every step: its whole length and the warm-up at its start, ms. */
export interface CapacityStepShape {
  stepMs: number;
  warmupMs: number;
}

/** 10 s steps, the first 3 s a warm-up: long enough for a queue to show and a pool to settle. */
export const defaultCapacityStep: CapacityStepShape = { stepMs: 10_000, warmupMs: 3_000 };

/** The shortest steady window a step may have, ms: the lab judges whole seconds. */
export const minSteadyMs = 1000;

/** Where a step's load goes: as for {@link planRun}. */
export interface CapacityTarget {
  scenarioDir: string;
  target?: string;
  proxyAdminUrl?: string;
}

/**
 * The SLO entries a step is judged against: entries over the whole run, or over a phase of the
 * scenario (whose phases a step replaces), are judged over the steady phase; entries scoped to a
 * fault window (during or after it) keep their scope. `abortOnFail` is dropped: a step is judged
 * at its end.
 */
export function capacityStepSlo(slo: Scenario['slo']): SloEntry[] {
  return sloEntries(slo).map((entry) => {
    const { abortOnFail: _abort, graceS: _grace, ...rest } = entry;
    const faultScoped = entry.after !== undefined || entry.during?.startsWith('fault:') === true;
    return faultScoped ? rest : { ...rest, during: `phase:${steadyPhaseName}` };
  });
}

/** The scenario of one step at `rate` requests/s. */
export function capacityStepScenario(scenario: Scenario, rate: number, shape: CapacityStepShape): Scenario {
  const { load } = scenario;
  const phases = [
    ...(shape.warmupMs > 0 ? [{ name: 'warmup', duration: shape.warmupMs, rate }] : []),
    { name: steadyPhaseName, duration: shape.stepMs - shape.warmupMs, rate },
  ];
  return {
    ...scenario,
    load: {
      model: 'open',
      phases,
      requests: load.requests,
      arrivals: load.model === 'open' ? load.arrivals : 'uniform',
      maxInFlight: load.model === 'open' ? load.maxInFlight : 1000,
      workers: load.workers,
      timeout: load.timeout,
    },
    slo: capacityStepSlo(scenario.slo),
  };
}

/** The lab plan of one step at `rate` requests/s. */
export function capacityStepPlan(
  scenario: Scenario,
  rate: number,
  shape: CapacityStepShape,
  where: CapacityTarget,
): LabPlan {
  return planRun(capacityStepScenario(scenario, rate, shape), {
    scenarioDir: where.scenarioDir,
    ...(where.target === undefined ? {} : { target: where.target }),
    ...(where.proxyAdminUrl === undefined ? {} : { proxyAdminUrl: where.proxyAdminUrl }),
  });
}

/**
 * The first rate a search tries when none is given: the scenario's highest planned arrival rate
 * (open model; a ramp counts by its higher end), or 100/s for a closed-model scenario.
 */
export function defaultStartRate(scenario: Scenario): number {
  if (scenario.load.model !== 'open') return 100;
  const rates = scenario.load.phases.map((p) =>
    typeof p.rate === 'number' ? p.rate : Math.max(p.rate.from, p.rate.to),
  );
  const top = Math.max(...rates);
  return top > 0 ? top : 100;
}

/** Why `shape` cannot make a step, one sentence each naming the caller's name for each length (`flags`); empty when it can. */
export function stepShapeProblems(
  shape: CapacityStepShape,
  flags: { step: string; warmup: string },
): string[] {
  const problems: string[] = [];
  if (shape.warmupMs < 0) problems.push(`${flags.warmup}: expected 0s or more, got ${shape.warmupMs} ms`);
  if (shape.stepMs - shape.warmupMs < minSteadyMs) {
    problems.push(
      `${flags.step}: expected at least ${minSteadyMs / 1000}s more than ${flags.warmup} (the steady window the verdict is judged on), got ${shape.stepMs / 1000}s with ${shape.warmupMs / 1000}s of warm-up`,
    );
  }
  return problems;
}
