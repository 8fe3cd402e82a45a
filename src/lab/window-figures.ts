/**
 * The exact figures of the run's windows: each phase, each fault window, and the seconds after
 * each fault window. Latency is merged from the windows' per-second histograms (not a percentile
 * of percentiles), so an SLO scoped to a window is judged as exactly as the whole run.
 *
 * Seconds are whole: a window from `startS` to `endS` covers every load second t (the series'
 * second [t, t+1)) at least half inside it, i.e. t from round(startS) to round(endS) − 1. (A fault
 * applied 20 ms after second 4 began still owns second 4.)
 */
import type { LoadAggregate } from '../load/index.js';
import type { FaultRecord, PhaseRecord, WindowFigures } from '../results/index.js';
import { faultNames, sloEntries, type Scenario } from '../scenario/index.js';

/** The figures of the seconds t with `fromS <= t < toS` (whole seconds). */
export function windowFigures(aggregate: LoadAggregate, fromS: number, toS: number): WindowFigures {
  let requests = 0;
  let total = 0;
  const byKind: Record<string, number> = {};
  for (let t = fromS; t < toS; t++) {
    const second = aggregate.second(t);
    if (second === undefined) continue;
    requests += second.requests;
    total += second.errors;
    for (const [kind, count] of Object.entries(second.errorsByKind))
      byKind[kind] = (byKind[kind] ?? 0) + count;
  }
  // latencyBetween takes both ends; an empty window merges nothing (all zeros).
  const latencyMs = aggregate.latencyBetween(fromS, toS > fromS ? toS - 1 : fromS - 1);
  return { fromS, toS, requests, errors: { total, byKind }, latencyMs };
}

/**
 * The phases and faults with their figures: `figures` on each phase and fault window,
 * `afterFigures` (window end to run end) on each fault, and `afterFiguresFor` for each `for` an
 * `after: fault:<name>` SLO entry asks. `lastS` is the run's end in seconds of load.
 */
export function withWindowFigures(
  aggregate: LoadAggregate,
  scenario: Scenario,
  phases: readonly PhaseRecord[],
  faults: readonly FaultRecord[],
  lastS: number,
): { phases: PhaseRecord[]; faults: FaultRecord[] } {
  const whole = (s: number): number => Math.round(s);
  const end = whole(lastS);
  const span = (fromS: number, toS: number): WindowFigures =>
    windowFigures(aggregate, whole(fromS), Math.min(whole(toS), end));
  const names = faultNames(scenario.faults);
  const entries = sloEntries(scenario.slo);
  return {
    phases: phases.map((phase) => ({ ...phase, figures: span(phase.startS, phase.endS) })),
    faults: faults.map((fault) => {
      const name = fault.name ?? names[faults.indexOf(fault)];
      const fors = entries
        .filter((e) => e.after === `fault:${name}` && e.for !== undefined)
        .map((e) => (e.for ?? 0) / 1000);
      const afterFiguresFor: Record<string, WindowFigures> = {};
      for (const forS of fors) afterFiguresFor[String(forS)] = span(fault.endS, fault.endS + forS);
      return {
        ...fault,
        figures: span(fault.startS, fault.endS),
        afterFigures: span(fault.endS, lastS),
        ...(fors.length === 0 ? {} : { afterFiguresFor }),
      };
    }),
  };
}
