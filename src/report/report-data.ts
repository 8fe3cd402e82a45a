/**
 * The data the report's charts read from the page, built from the result document: the series,
 * the phases and fault windows to shade, the percentile spectrum, and which optional charts
 * have anything to draw (the page and the script decide alike, from {@link chartPresence}).
 */
import type { ResultDocument } from '../results/index.js';
import { percentileSpectrum, type SpectrumPoint } from './spectrum.js';

/** A fault window as the charts shade it. */
export interface ChartFault {
  label: string;
  startS: number;
  endS: number;
}

/** Which optional charts a result has data for. */
export interface ChartPresence {
  /** Some second carries service telemetry (the service charts are drawn). */
  hasService: boolean;
  /** Some second carries the generator's own figures. */
  hasGenerator: boolean;
  /** Some second carries the recommendations breaker's state (series[].service.breakerState). */
  hasBreaker: boolean;
  /** Some second carries the recommendations retries (series[].service.retries). */
  hasRetries: boolean;
  /** Some second had responses: its throughput and latency can be plotted against each other. */
  hasResponses: boolean;
}

export interface ReportChartData extends ChartPresence {
  series: ResultDocument['series'];
  phases: ResultDocument['phases'];
  faults: ChartFault[];
  spectrum: SpectrumPoint[];
  /** Cache results seen in the run, in a stable order (hit, miss, coalesced, stale, negative, …). */
  cacheKinds: string[];
  /** Flows: each step's p99 per second (null for a second without answers). */
  steps?: { name: string; p99: (number | null)[] }[];
}

/** Fault windows of the result as labelled spans ("db latency"); none for older results. */
export function faultWindows(result: ResultDocument): ChartFault[] {
  return (result.faults ?? []).map((f) => ({
    label: `${f.on} ${f.kind}${f.error === undefined ? '' : ' (not applied)'}`,
    startS: f.startS,
    endS: f.endS,
  }));
}

/** Which optional charts `series` has anything to draw on. */
export function chartPresence(series: ResultDocument['series']): ChartPresence {
  const presence: ChartPresence = {
    hasService: false,
    hasGenerator: false,
    hasBreaker: false,
    hasRetries: false,
    hasResponses: false,
  };
  for (const p of series) {
    if (p.service !== undefined) presence.hasService = true;
    if (p.generator !== undefined) presence.hasGenerator = true;
    if (typeof p.service?.breakerState === 'number') presence.hasBreaker = true;
    if (typeof p.service?.retries === 'number') presence.hasRetries = true;
    if (p.requests > 0) presence.hasResponses = true;
  }
  return presence;
}

const cacheOrder = ['hit', 'miss', 'coalesced', 'stale', 'negative'];

/** Builds the charts' data for `result`. */
export function reportChartData(result: ResultDocument): ReportChartData {
  const kinds = new Set<string>();
  for (const p of result.series) {
    for (const k of Object.keys(p.service?.cache ?? {})) kinds.add(k);
  }
  const rank = (k: string) => (cacheOrder.includes(k) ? cacheOrder.indexOf(k) : cacheOrder.length);
  return {
    series: result.series,
    phases: result.phases,
    faults: faultWindows(result),
    spectrum: percentileSpectrum(result.histogram),
    ...chartPresence(result.series),
    cacheKinds: [...kinds].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
    ...(result.steps === undefined
      ? {}
      : {
          steps: result.steps.map((s) => ({
            name: s.name,
            p99: s.series.map((p) => (p.requests > 0 ? p.latencyMs.p99 : null)),
          })),
        }),
  };
}
