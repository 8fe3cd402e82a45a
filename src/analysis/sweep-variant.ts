/**
 * One variant of a sweep summarised over its repeats: status, SLO verdicts, latency, throughput,
 * goodput, errors, the service's peaks and counters, the generator's verdicts. Pure.
 */
import type { ResultDocument } from '../results/index.js';
import { median, type MetricId } from './compare-metrics.js';
import { summariseRepeats } from './repeats.js';
import { transportErrors } from './slo.js';
import type { RepeatRange, SweepVariant, SweepVariantRuns } from './sweep.js';

/** Responses that were not errors, per second of load. */
export function goodput(result: ResultDocument): number {
  const s = result.summary;
  if (s.durationS <= 0) return 0;
  const errorResponses = s.errors.total - transportErrors(s);
  return Math.max(0, s.requests - errorResponses) / s.durationS;
}

/** The variant's entry in the sweep document (without rank), from its runs. */
export function summariseVariant(v: SweepVariantRuns, repeats: number): SweepVariant {
  const status = v.failure !== undefined ? 'failed' : v.results.length >= repeats ? 'done' : 'pending';
  const checks = sloChecks(v.results);
  const runsHeld = v.results.filter((r) => r.slo.every((c) => c.held)).length;
  const base: SweepVariant = {
    index: v.index,
    name: v.name,
    dir: v.dir,
    settings: v.settings,
    status,
    ...(v.failure === undefined
      ? {}
      : { reason: `repeat ${v.failure.repeat}: ${v.failure.message}`, failureCode: v.failure.code }),
    runs: [...v.runs],
    slo: { held: status === 'done' ? runsHeld === v.results.length : null, runsHeld, checks },
    verdict: status === 'failed' ? 'failed' : status === 'pending' ? 'pending' : 'misses',
  };
  if (status === 'done' && base.slo.held === true) base.verdict = 'holds';
  if (v.results.length === 0) return base;
  const figures = summariseRepeats(v.results, v.runs).figures;
  const pick = (id: MetricId): RepeatRange | undefined => {
    const f = figures.find((x) => x.metric === id);
    return f === undefined ? undefined : { median: f.median, min: f.min, max: f.max, n: f.n };
  };
  const p50 = pick('p50');
  const p99 = pick('p99');
  const loop = pick('eventLoopDelayP99');
  const heap = pick('heapPeak');
  const counters = serviceCounters(v.results);
  const service = {
    ...(loop === undefined ? {} : { eventLoopDelayP99Ms: loop }),
    ...(heap === undefined ? {} : { heapPeakMb: heap }),
    ...(Object.keys(counters).length === 0 ? {} : { counters }),
  };
  const optional = <K extends string>(key: K, value: RepeatRange | undefined) =>
    value === undefined ? {} : ({ [key]: value } as Record<K, RepeatRange>);
  return {
    ...base,
    ...(p50 === undefined || p99 === undefined ? {} : { latencyMs: { p50, p99 } }),
    ...optional('rps', pick('rps')),
    ...optional('goodputRps', range(v.results.map(goodput))),
    ...optional('errors', range(v.results.map((r) => r.summary.errors.total))),
    ...optional('errorRatePct', pick('errorRate')),
    ...(Object.keys(service).length === 0 ? {} : { service }),
    ...generatorVerdicts(v.results),
  };
}

/** Each SLO check by name over the runs: how many held, and its actual value's median and range. */
function sloChecks(results: readonly ResultDocument[]): SweepVariant['slo']['checks'] {
  const byName = new Map<string, { limit: number; held: number; actual: number[] }>();
  for (const r of results) {
    for (const c of r.slo) {
      const entry = byName.get(c.name) ?? { limit: c.limit, held: 0, actual: [] };
      entry.held += c.held ? 1 : 0;
      entry.actual.push(c.actual);
      byName.set(c.name, entry);
    }
  }
  return [...byName].map(([name, e]) => ({
    name,
    limit: e.limit,
    held: e.held,
    runs: e.actual.length,
    actual: range(e.actual) as RepeatRange,
  }));
}

function generatorVerdicts(results: readonly ResultDocument[]): { generator?: Record<string, number> } {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const verdict = r.summary.generator?.verdict;
    if (verdict !== undefined) counts[verdict] = (counts[verdict] ?? 0) + 1;
  }
  return Object.keys(counts).length === 0 ? {} : { generator: counts };
}

/** Each counter the service reported, summed over each run's seconds; median and range over the runs. */
function serviceCounters(results: readonly ResultDocument[]): Record<string, RepeatRange> {
  const perRun = results.map((r) => {
    const totals: Record<string, number> = {};
    const add = (key: string, value: unknown) => {
      if (typeof value === 'number' && Number.isFinite(value)) totals[key] = (totals[key] ?? 0) + value;
    };
    for (const point of r.series) {
      const s = point.service;
      if (s === undefined) continue;
      for (const [k, n] of Object.entries(s.cache ?? {})) add(`cache.${k}`, n);
      add('shed', s.shed);
      add('retries', s.retries);
      add('recsCalls', s.recsCalls);
    }
    return totals;
  });
  const keys = [...new Set(perRun.flatMap((t) => Object.keys(t)))].sort();
  return Object.fromEntries(keys.map((k) => [k, range(perRun.map((t) => t[k] ?? 0)) as RepeatRange]));
}

function range(values: readonly number[]): RepeatRange | undefined {
  const m = median(values);
  if (m === undefined) return undefined;
  return { median: m, min: Math.min(...values), max: Math.max(...values), n: values.length };
}
