/**
 * The part of a run a comparison looks at: the seconds of some of its phases (e.g. `steady`,
 * leaving a warm-up out), as a view of the result document whose summary and series cover only
 * those seconds, and the latency histogram of the same seconds. Pure: the per-second histograms
 * (from the run's latency.hlog) come in as data.
 */
import type { LatencyInterval, ResultDocument } from '../results/index.js';
import { createLatencyHistogram, summarizeLatencyMs, type LatencyHistogram } from '../metrics/index.js';

/**
 * The seconds (series t) of the named phases: the whole seconds inside each (its `figures` window
 * where the result has one), or the names the run lacks.
 */
export function secondsOfPhases(
  result: ResultDocument,
  names: readonly string[],
): { seconds: Set<number> } | { missing: string[]; have: string[] } {
  const missing = names.filter((name) => !result.phases.some((p) => p.name === name));
  if (missing.length > 0) return { missing, have: result.phases.map((p) => p.name) };
  const seconds = new Set<number>();
  for (const phase of result.phases) {
    if (!names.includes(phase.name)) continue;
    const fromS = phase.figures?.fromS ?? Math.ceil(phase.startS);
    const toS = phase.figures?.toS ?? Math.floor(phase.endS);
    for (let t = fromS; t < toS; t++) seconds.add(t);
  }
  return { seconds };
}

/**
 * The result restricted to `seconds`: series points of those seconds only, and a summary whose
 * requests, errors, rate, duration and latency are those seconds' (latency from the merged
 * per-second histograms); with the histogram itself.
 */
export function resultInSeconds(
  result: ResultDocument,
  intervals: readonly LatencyInterval[],
  seconds: ReadonlySet<number>,
): { result: ResultDocument; histogram: LatencyHistogram } {
  const histogram = createLatencyHistogram();
  for (const { t, histogram: second } of intervals) if (seconds.has(t)) histogram.add(second);
  const series = result.series.filter((point) => seconds.has(point.t));
  const byKind: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  for (const point of series) {
    requests += point.requests;
    errors += point.errors;
    for (const [kind, n] of Object.entries(point.errorsByKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
  }
  const durationS = seconds.size;
  const summary = {
    ...result.summary,
    requests,
    errors: { total: errors, byKind },
    rps: durationS > 0 ? requests / durationS : 0,
    durationS,
    latencyMs: summarizeLatencyMs(histogram),
  };
  return { result: { ...result, series, summary }, histogram };
}
