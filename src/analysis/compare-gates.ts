/**
 * Gate thresholds judged on a comparison's metrics: each on the one-sided bound in its direction
 * (compare-verdict.ts's `judgeThreshold`), and the overall outcome of all of them.
 */
import type { Threshold } from '../shared/index.js';
import { minimumRuns } from './compare-minimum.js';
import { latencyMinimumRuns } from './compare-latency.js';
import { metricDefinition } from './compare-metrics.js';
import { judgeThreshold, type GateOutcome, type GateResult, type VerdictBasis } from './compare-verdict.js';
import type { MetricComparison } from './compare.js';

/**
 * A threshold judged on the one-sided bound in its direction (Hodges-Lehmann with the exact rank
 * distribution, each bound at `confidence` on its own): a gate asks one question, "is B worse
 * than the limit?", so it needs fewer runs than the two-sided interval of the verdicts (5 pairs
 * instead of 6; 3 runs a side instead of 4).
 */
export function judgeGate(
  threshold: Threshold,
  metrics: readonly MetricComparison[],
  design: 'unpaired' | 'paired',
  confidence: number,
): GateResult {
  const m = metrics.find((x) => x.metric === threshold.metric);
  if (m === undefined) {
    const def = metricDefinition(threshold.metric);
    return {
      threshold,
      outcome: 'inconclusive',
      reason: `no data: no run has ${def.label}${def.fromService ? ' (it comes from the service telemetry)' : ''}`,
    };
  }
  const bounds =
    m.change === undefined || m.gateBounds === undefined
      ? undefined
      : { estimate: m.change.estimate, ...m.gateBounds };
  const basis: VerdictBasis = { scale: m.scale, unit: m.unit, worse: m.worse, margin: m.margin, confidence };
  const n = design === 'paired' ? `${Math.min(m.a.n, m.b.n)} pairs` : `n=${m.a.n} vs ${m.b.n}`;
  const needs =
    m.method === 'bootstrap'
      ? `at least ${latencyMinimumRuns(confidence, 'one-sided')} ${design === 'paired' ? 'pairs' : 'runs each'}`
      : minimumRuns(design, confidence, 'one-sided');
  const unavailable =
    m.change === undefined
      ? m.reason
      : `not enough runs: ${n}; a one-sided ${percent(confidence)} bound needs ${needs}`;
  return judgeThreshold(threshold, bounds, basis, unavailable);
}

export function overallGate(gates: readonly GateResult[]): GateOutcome {
  if (gates.some((g) => g.outcome === 'fail')) return 'fail';
  if (gates.some((g) => g.outcome === 'inconclusive')) return 'inconclusive';
  return 'pass';
}

function percent(confidence: number): string {
  return `${Number((confidence * 100).toFixed(1))}%`;
}
