/**
 * Comparing two sets of runs, A and B, metric by metric: the change B vs A with a distribution-free
 * interval, a verdict on each metric, and the outcome of each gate threshold. Pure: results in,
 * the comparison document out.
 *
 *   runs of A ─┐  one figure per run      Hodges–Lehmann shift     verdict per metric (two-sided
 *              ├─ per metric ───────────▶ (log scale: relative)  ─▶   95% interval)
 *   runs of B ─┘  (p99 of each run, ...)  + exact rank interval    gate per threshold (one-sided
 *                                          and one-sided bounds       95% bound in its direction)
 *
 * Two designs: "unpaired" (A's runs and B's runs taken separately: Mann–Whitney) and "paired"
 * (run i of A and run i of B taken at the same time, as a duet: signed-rank on ln(Bᵢ/Aᵢ)).
 */
import type { ResultDocument } from '../results/index.js';
import { loadlabError, type Threshold } from '../shared/index.js';
export { minimumRuns } from './compare-minimum.js';
import { metricDefinitions, median, type MetricDefinition, type MetricId } from './compare-metrics.js';
import {
  verdictOf,
  type ChangeInterval,
  type GateOutcome,
  type GateResult,
  type Verdict,
  type VerdictBasis,
} from './compare-verdict.js';
import { judgeGate, overallGate } from './compare-gates.js';
import { minimumRuns } from './compare-minimum.js';
import { pairedShift, twoSampleShift, type Alternative, type ShiftEstimate } from './stats-hodges-lehmann.js';
import {
  compareRunLatency,
  latencyMinimumRuns,
  latencyResamples,
  type LatencyFigures,
} from './compare-latency.js';
import type { LatencyCounts } from './stats-run-bootstrap.js';

/** The identifier of the comparison document's shape. */
export const comparisonSchemaId = 'loadlab/comparison@1';

/** One side of a comparison: its runs and where they were read from. */
export interface RunSet {
  /** "A" or "B", or a name the user gave. */
  label: string;
  /** Where each run was read from (same order as `results`). */
  sources: string[];
  results: ResultDocument[];
  /**
   * Each run's latencies (same order as `results`), e.g. from its histogram ({@link latencyCountsOf}).
   * Given on both sides, the latency percentiles are compared with a two-stage bootstrap over runs
   * and their requests (compare-latency.ts) instead of a rank interval on one figure per run.
   */
  latency?: LatencyCounts[];
}

export interface CompareOptions {
  /** "unpaired" (default) or "paired" (run i of A with run i of B, e.g. the repeats of a duet). */
  design?: 'unpaired' | 'paired';
  /** Confidence of the intervals (default 0.95). */
  confidence?: number;
  /** Gate thresholds to judge. */
  thresholds?: readonly Threshold[];
}

/** One side's figures for one metric. */
export interface SideFigures {
  /** Runs that had the figure. */
  n: number;
  median?: number;
  /** Each run's figure, in run order (null where the run had none). */
  values: (number | null)[];
}

/** One metric compared. */
export interface MetricComparison {
  metric: MetricId;
  label: string;
  unit: string;
  worse: 'higher' | 'lower';
  /** "relative": `change` is a fraction (0.126 = +12.6%); "difference": B − A in `unit` (pp for "%"). */
  scale: 'relative' | 'difference';
  /** The equivalence margin on that scale. */
  margin: number;
  a: SideFigures;
  b: SideFigures;
  /** The estimate and, when finite, the two-sided interval (the verdict's). */
  change?: { estimate: number; low?: number; high?: number; coverage?: number };
  /**
   * The one-sided bounds the gates use, each at the comparison's confidence on its own: `low` the
   * lower bound (the change is at least this), `high` the upper bound; `coverage` is each one's
   * exact coverage. Absent when too few runs give a finite one-sided bound.
   */
  gateBounds?: { low: number; high: number; coverage: number };
  /**
   * "bootstrap": a latency percentile, each side's geometric mean of its runs' percentiles, with a
   * two-stage bootstrap interval over runs and requests; "rank": one figure per run, with a
   * Hodges-Lehmann estimate and an exact rank interval.
   */
  method: 'bootstrap' | 'rank';
  /** The bootstrap's figure of each side (ms): the geometric mean of its runs' percentile. */
  geoMean?: { a: number; b: number };
  /** Two-sided p-value of "no change" and how it was computed (rank method only). */
  pValue?: number;
  pMethod?: 'exact' | 'normal';
  verdict: Verdict;
  /** One sentence with the numbers behind the verdict. */
  reason: string;
}

/** The comparison document (`loadlab compare --json`). */
export interface Comparison {
  schema: typeof comparisonSchemaId;
  scenario: string;
  design: 'unpaired' | 'paired';
  confidence: number;
  /** The verdicts' method in one line, with the sample size. */
  method: string;
  /** How gate thresholds are judged: a one-sided bound in each threshold's direction, with the sample size. */
  gateMethod?: string;
  /** The fewest runs for a finite two-sided interval (verdicts) and a finite one-sided bound (gates), in words. */
  minimum?: { verdicts: string; gates: string };
  a: { label: string; runs: number; sources: string[] };
  b: { label: string; runs: number; sources: string[] };
  metrics: MetricComparison[];
  gates: GateResult[];
  /** Overall gate outcome: fail if any failed, else inconclusive if any was, else pass; absent without gates. */
  gate?: GateOutcome;
}

/**
 * Compares B with A. Throws a COMPARE_MISMATCH LoadlabError listing every difference when the runs
 * are not of the same scenario and load (or, paired, not as many on each side). Metrics from the
 * service's telemetry appear only where some run has them.
 */
export function compareRunSets(a: RunSet, b: RunSet, options: CompareOptions = {}): Comparison {
  const design = options.design ?? 'unpaired';
  const confidence = options.confidence ?? 0.95;
  const problems = comparabilityProblems(a, b);
  if (design === 'paired' && a.results.length !== b.results.length) {
    problems.push(
      `paired runs: ${a.label} has ${a.results.length} runs and ${b.label} has ${b.results.length}`,
    );
  }
  if (problems.length > 0) {
    throw loadlabError('COMPARE_MISMATCH', `${a.label} and ${b.label} are not comparable: ${problems[0]}`, {
      problems,
    });
  }
  const latency =
    a.latency?.length === a.results.length && b.latency?.length === b.results.length
      ? compareRunLatency({ a: a.latency, b: b.latency }, design, confidence)
      : undefined;
  const metrics: MetricComparison[] = [];
  for (const def of metricDefinitions) {
    const figures = latency?.get(def.id);
    const compared =
      figures === undefined
        ? compareMetric(def, a.results, b.results, design, confidence)
        : compareLatencyMetric(def, a.results, b.results, design, confidence, figures);
    if (compared !== undefined) metrics.push(compared);
  }
  const gates = (options.thresholds ?? []).map((t) => judgeGate(t, metrics, design, confidence));
  const n =
    design === 'paired' ? `${a.results.length} pairs` : `n=${a.results.length} vs ${b.results.length}`;
  const perRun =
    design === 'paired'
      ? `Hodges-Lehmann shift of paired log ratios, ${percent(confidence)} CI from the exact Wilcoxon signed-rank distribution, ${n}`
      : `Hodges-Lehmann shift, ${percent(confidence)} CI from exact Mann-Whitney, ${n}`;
  const latencyText = `latency percentiles: geometric mean of the runs' percentiles, ${percent(confidence)} CI from a two-stage bootstrap (${
    design === 'paired' ? 'pairs of runs' : 'runs'
  }, then their requests; ${latencyResamples} resamples, expanded percentile), ${n}`;
  const method = latency === undefined ? perRun : `${capitalize(latencyText)}; other figures: ${perRun}`;
  const rankBound =
    design === 'paired' ? 'the exact Wilcoxon signed-rank distribution' : 'exact Mann-Whitney';
  const gateMethod = `one-sided ${percent(confidence)} bound in each threshold's direction, from ${
    latency === undefined
      ? rankBound
      : `the two-stage bootstrap for latency percentiles and ${rankBound} for other figures`
  }, ${n}`;
  const unit = design === 'paired' ? 'pairs' : 'runs each';
  const minimum =
    latency === undefined
      ? { verdicts: minimumRuns(design, confidence), gates: minimumRuns(design, confidence, 'one-sided') }
      : {
          verdicts: `latency: at least ${latencyMinimumRuns(confidence, 'two-sided')} ${unit}; other figures: ${minimumRuns(design, confidence)}`,
          gates: `latency: at least ${latencyMinimumRuns(confidence, 'one-sided')} ${unit}; other figures: ${minimumRuns(design, confidence, 'one-sided')}`,
        };
  return {
    schema: comparisonSchemaId,
    scenario: b.results[0]?.scenario.name ?? a.results[0]?.scenario.name ?? '',
    design,
    confidence,
    method,
    gateMethod,
    minimum,
    a: { label: a.label, runs: a.results.length, sources: a.sources },
    b: { label: b.label, runs: b.results.length, sources: b.sources },
    metrics,
    gates,
    ...(gates.length === 0 ? {} : { gate: overallGate(gates) }),
  };
}

/**
 * Every reason the two sets cannot be compared: no runs, or runs of a different scenario name or a
 * different resolved `load` section (the service, dependencies and target may differ: that is
 * what an A/B compares).
 */
export function comparabilityProblems(a: RunSet, b: RunSet): string[] {
  const problems: string[] = [];
  for (const side of [a, b]) if (side.results.length === 0) problems.push(`${side.label} holds no runs`);
  const first = a.results[0] ?? b.results[0];
  const firstSource = a.results[0] !== undefined ? a.sources[0] : b.sources[0];
  if (first === undefined) return problems;
  const load = JSON.stringify(first.scenario.load);
  for (const side of [a, b]) {
    side.results.forEach((result, i) => {
      const where = side.sources[i] ?? `${side.label} run ${i + 1}`;
      if (result.scenario.name !== first.scenario.name) {
        problems.push(
          `${where}: scenario name is "${result.scenario.name}", but ${firstSource} is of "${first.scenario.name}"`,
        );
      } else if (JSON.stringify(result.scenario.load) !== load) {
        const paths = differingPaths(first.scenario.load, result.scenario.load, 'load');
        problems.push(`${where}: the resolved load differs from ${firstSource} at ${paths.join(', ')}`);
      }
    });
  }
  return problems;
}

function compareMetric(
  def: MetricDefinition,
  aRuns: readonly ResultDocument[],
  bRuns: readonly ResultDocument[],
  design: 'unpaired' | 'paired',
  confidence: number,
): MetricComparison | undefined {
  const aValues = aRuns.map((r) => finite(def.of(r)));
  const bValues = bRuns.map((r) => finite(def.of(r)));
  const aHave = aValues.filter((v): v is number => v !== null);
  const bHave = bValues.filter((v): v is number => v !== null);
  if (def.fromService && aHave.length === 0 && bHave.length === 0) return undefined;
  // Logs need positive figures: a relative metric with a 0 among them is compared as a difference.
  const relative = def.scale === 'relative' && [...aHave, ...bHave].every((v) => v > 0);
  const scale = relative ? 'relative' : 'difference';
  const margin = relative || def.scale === 'difference' ? def.margin : def.differenceMargin;
  const basis: VerdictBasis = { scale, unit: def.unit, worse: def.worse, margin, confidence };
  const base = {
    metric: def.id,
    label: def.label,
    unit: def.unit,
    worse: def.worse,
    scale,
    margin,
    method: 'rank',
    a: side(aValues, aHave),
    b: side(bValues, bHave),
  } as const;
  const t = (v: number) => (relative ? Math.log(v) : v);
  const back = (v: number) => (relative ? Math.exp(v) - 1 : v);
  let estimateShift: ((alternative: Alternative) => ShiftEstimate) | undefined;
  let nText: string;
  if (design === 'paired') {
    const d: number[] = [];
    aValues.forEach((av, i) => {
      const bv = bValues[i];
      if (av !== null && bv !== null && bv !== undefined) d.push(t(bv) - t(av));
    });
    nText = `${d.length} pair${d.length === 1 ? '' : 's'}`;
    if (d.length > 0) estimateShift = (alternative) => pairedShift(d, { confidence, alternative });
  } else {
    nText = `n=${aHave.length} vs ${bHave.length}`;
    if (aHave.length > 0 && bHave.length > 0)
      estimateShift = (alternative) =>
        twoSampleShift(aHave.map(t), bHave.map(t), { confidence, alternative });
  }
  if (estimateShift === undefined) {
    return { ...base, verdict: 'inconclusive', reason: `no data: ${nText} runs with this figure` };
  }
  const shift = estimateShift('two-sided');
  const lower = estimateShift('lower-bound').interval;
  const upper = estimateShift('upper-bound').interval;
  const gateBounds =
    lower === undefined || upper === undefined
      ? {}
      : { gateBounds: { low: back(lower.low), high: back(upper.high), coverage: lower.coverage } };
  const estimate = back(shift.estimate);
  const stats = { pValue: shift.test.pValue, pMethod: shift.test.method, ...gateBounds };
  if (shift.interval === undefined) {
    return {
      ...base,
      change: { estimate },
      ...stats,
      verdict: 'inconclusive',
      reason: `not enough runs: ${nText}; a finite ${percent(confidence)} interval needs ${minimumRuns(design, confidence)}`,
    };
  }
  const change: ChangeInterval = {
    estimate,
    low: back(shift.interval.low),
    high: back(shift.interval.high),
    coverage: shift.interval.coverage,
  };
  return { ...base, change, ...stats, ...verdictOf(change, basis) };
}

/** A latency percentile compared by the two-stage bootstrap (compare-latency.ts). */
function compareLatencyMetric(
  def: MetricDefinition,
  aRuns: readonly ResultDocument[],
  bRuns: readonly ResultDocument[],
  design: 'unpaired' | 'paired',
  confidence: number,
  figures: LatencyFigures,
): MetricComparison {
  const aValues = aRuns.map((r) => finite(def.of(r)));
  const bValues = bRuns.map((r) => finite(def.of(r)));
  const basis: VerdictBasis = {
    scale: 'relative',
    unit: def.unit,
    worse: def.worse,
    margin: def.margin,
    confidence,
  };
  const base = {
    metric: def.id,
    label: def.label,
    unit: def.unit,
    worse: def.worse,
    scale: 'relative',
    margin: def.margin,
    method: 'bootstrap',
    geoMean: figures.geoMeanMs,
    a: side(
      aValues,
      aValues.filter((v): v is number => v !== null),
    ),
    b: side(
      bValues,
      bValues.filter((v): v is number => v !== null),
    ),
    ...(figures.gateBounds === undefined
      ? {}
      : { gateBounds: { ...figures.gateBounds, coverage: confidence } }),
  } as const;
  if (figures.interval === undefined) {
    const n = design === 'paired' ? `${figures.runs} pairs` : `n=${aRuns.length} vs ${bRuns.length}`;
    const unit = design === 'paired' ? 'pairs' : 'runs each';
    return {
      ...base,
      change: { estimate: figures.estimate },
      verdict: 'inconclusive',
      reason: `not enough runs: ${n}; a finite ${percent(confidence)} interval of a latency percentile needs at least ${latencyMinimumRuns(confidence, 'two-sided')} ${unit}`,
    };
  }
  const change: ChangeInterval = { estimate: figures.estimate, ...figures.interval, coverage: confidence };
  return { ...base, change, ...verdictOf(change, basis) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function side(values: (number | null)[], have: number[]): SideFigures {
  const med = median(have);
  return { n: have.length, ...(med === undefined ? {} : { median: med }), values };
}

function finite(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

function percent(confidence: number): string {
  return `${Number((confidence * 100).toFixed(1))}%`;
}

/** Up to five JSON paths where `x` and `y` differ, e.g. `load.phases[1].rate`. */
function differingPaths(x: unknown, y: unknown, path: string, out: string[] = []): string[] {
  if (out.length >= 5) return out;
  if (JSON.stringify(x) === JSON.stringify(y)) return out;
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) out.push(`${path} (${x.length} vs ${y.length} entries)`);
    else x.forEach((v, i) => differingPaths(v, y[i], `${path}[${i}]`, out));
    return out;
  }
  if (isObject(x) && isObject(y)) {
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
      differingPaths(x[key], y[key], `${path}.${key}`, out);
    }
    return out;
  }
  out.push(`${path} (${JSON.stringify(x) ?? 'absent'} vs ${JSON.stringify(y) ?? 'absent'})`);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
