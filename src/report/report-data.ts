/**
 * The data the report's charts read from the page, built from the result document: the series,
 * the phases and fault windows to shade, the percentile spectrum, and which optional charts
 * have anything to draw.
 */
import type { ResultDocument } from '../results/index.js';
import { percentileSpectrum, type SpectrumPoint } from './spectrum.js';

/** A fault window as the charts shade it. */
export interface ChartFault {
  label: string;
  startS: number;
  endS: number;
}

export interface ReportChartData {
  series: ResultDocument['series'];
  phases: ResultDocument['phases'];
  faults: ChartFault[];
  spectrum: SpectrumPoint[];
  /** True when some second carries service telemetry (the service charts are drawn). */
  hasService: boolean;
  /** True when some second carries the generator's own figures. */
  hasGenerator: boolean;
  /** Cache results seen in the run, in a stable order (hit, miss, coalesced, stale, negative, …). */
  cacheKinds: string[];
}

/** Fault windows of the result as labelled spans ("db latency"); none for older results. */
export function faultWindows(result: ResultDocument): ChartFault[] {
  return (result.faults ?? []).map((f) => ({
    label: `${f.on} ${f.kind}${f.error === undefined ? '' : ' (not applied)'}`,
    startS: f.startS,
    endS: f.endS,
  }));
}

const cacheOrder = ['hit', 'miss', 'coalesced', 'stale', 'negative'];

/** Builds the charts' data for `result`. */
export function reportChartData(result: ResultDocument): ReportChartData {
  const kinds = new Set<string>();
  let hasService = false;
  let hasGenerator = false;
  for (const p of result.series) {
    if (p.service !== undefined) hasService = true;
    if (p.generator !== undefined) hasGenerator = true;
    for (const k of Object.keys(p.service?.cache ?? {})) kinds.add(k);
  }
  const rank = (k: string) => (cacheOrder.includes(k) ? cacheOrder.indexOf(k) : cacheOrder.length);
  return {
    series: result.series,
    phases: result.phases,
    faults: faultWindows(result),
    spectrum: percentileSpectrum(result.histogram),
    hasService,
    hasGenerator,
    cacheKinds: [...kinds].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
  };
}
