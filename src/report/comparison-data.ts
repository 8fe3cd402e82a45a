/**
 * The data the comparison report's charts read from the page: each side's percentile spectrum
 * (its runs' histograms added) and its per-second latency, both per run and as the median over
 * runs of each second (runs are aligned on their own start: a duet's runs share it).
 */
import { decodeHistogram, mergeHistograms, type LatencyHistogram } from '../metrics/index.js';
import type { ResultDocument } from '../results/index.js';
import { histogramSpectrum, type SpectrumPoint } from './spectrum.js';

/** One second of one run, or the median of that second over a side's runs; null: no responses. */
export interface ComparisonSecond {
  t: number;
  p50: number | null;
  p99: number | null;
}

export interface ComparisonChartSide {
  label: string;
  color: string;
  /** Each run's seconds, for the faint per-run lines. */
  runs: ComparisonSecond[][];
  /** The median over runs of each second. */
  median: ComparisonSecond[];
  spectrum: SpectrumPoint[];
  /** Total responses in the added histogram. */
  responses: number;
}

export interface ComparisonChartData {
  sides: [ComparisonChartSide, ComparisonChartSide];
  /** The time axis ends here: seconds since the load started. */
  end: number;
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function secondsOf(result: ResultDocument): ComparisonSecond[] {
  return result.series.map((p) => ({
    t: p.t,
    p50: p.requests > 0 ? p.latencyMs.p50 : null,
    p99: p.requests > 0 ? p.latencyMs.p99 : null,
  }));
}

/** Each second's median p50 and p99 over the runs that had responses in it. */
export function medianSeconds(runs: readonly ComparisonSecond[][]): ComparisonSecond[] {
  const end = Math.max(0, ...runs.flatMap((r) => r.map((s) => s.t + 1)));
  const out: ComparisonSecond[] = [];
  for (let t = 0; t < end; t++) {
    const at = runs.flatMap((r) => r.filter((s) => s.t === t));
    out.push({
      t,
      p50: medianOf(at.flatMap((s) => (s.p50 === null ? [] : [s.p50]))),
      p99: medianOf(at.flatMap((s) => (s.p99 === null ? [] : [s.p99]))),
    });
  }
  return out;
}

/** The side's runs' total histograms added; runs whose histogram cannot be read are left out. */
export function addedHistogram(results: readonly ResultDocument[]): LatencyHistogram | undefined {
  let total: LatencyHistogram | undefined;
  for (const result of results) {
    let histogram: LatencyHistogram;
    try {
      histogram = decodeHistogram(result.histogram);
    } catch {
      // The reader vetted every histogram; an unreadable one only leaves this run out of the spectrum.
      continue;
    }
    if (total === undefined) total = histogram;
    else mergeHistograms(total, histogram);
  }
  return total;
}

function sideData(label: string, color: string, results: readonly ResultDocument[]): ComparisonChartSide {
  const runs = results.map(secondsOf);
  const histogram = addedHistogram(results);
  return {
    label,
    color,
    runs,
    median: medianSeconds(runs),
    spectrum: histogram === undefined ? [] : histogramSpectrum(histogram),
    responses: histogram?.totalCount ?? 0,
  };
}

/** The chart data of a comparison: A in blue, B in orange. */
export function comparisonChartData(
  a: { label: string; results: readonly ResultDocument[] },
  b: { label: string; results: readonly ResultDocument[] },
): ComparisonChartData {
  const sides: [ComparisonChartSide, ComparisonChartSide] = [
    sideData(a.label, '#2563eb', a.results),
    sideData(b.label, '#ea580c', b.results),
  ];
  const end = Math.max(1, ...sides.map((s) => s.median.length));
  return { sides, end };
}
