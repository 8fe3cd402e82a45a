/**
 * What the overlay report of a sweep or a capacity search draws: one curve of latency against
 * throughput per variant, their percentile spectra overlaid, and the table that names the winner.
 * The sweep and capacity commands build it from their own documents; the report only draws it.
 */

/** One measured point of a variant: one run (a repeat of a sweep, or a step of a capacity search). */
export interface OverlayPoint {
  /** Arrival rate planned for the run, requests/s; absent for a closed-model run. */
  offeredRps?: number;
  /** Responses per second the run achieved over its measured window. */
  achievedRps: number;
  /** Latency percentiles over the measured window, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Errors (transport, status, unanswered) over requests sent, 0..1. */
  errorRate: number;
  /** Whether every SLO held in this run; absent when the scenario states none. */
  sloHeld?: boolean;
  /** Path of the run's own report.html, relative to the overlay report's folder. */
  reportHref?: string;
  /** Set when the generator, not the target, limited this run: its reason. */
  generatorLimit?: string;
}

/** Latency at each percentile of a spectrum, milliseconds (percentile 0..100 → value). */
export interface OverlaySpectrumPoint {
  percentile: number;
  valueMs: number;
}

/** One variant: a knob setting of a sweep, or the single system of a capacity search. */
export interface OverlayVariant {
  /** Short label, e.g. `service.db.pool.max=8`. */
  name: string;
  /** The knob values that make this variant, path → value. */
  settings: Record<string, unknown>;
  points: OverlayPoint[];
  /** The variant's percentile spectrum (its repeats' histograms added, or its highest held step). */
  spectrum?: OverlaySpectrumPoint[];
  /** Set when the variant could not be measured (its service failed to start, ...): why. */
  failed?: string;
  /**
   * Where the variant sits on the Pareto view of throughput against p99 (e.g. its capacity step);
   * default: the medians of its points' throughput and p99.
   */
  position?: { achievedRps: number; p99Ms: number };
}

/** One row of the table: a variant's summary, with the evidence behind its rank. */
export interface OverlayTableRow {
  variant: string;
  /** Rank from 1 (best); equal ranks are ties the comparison could not separate. */
  rank?: number;
  /** Cells by column key, already formatted for display (e.g. "38.2 ms [36.1, 40.0]"). */
  cells: Record<string, string>;
  /** How the variant fared: a short word shown with a colour. */
  verdict: 'winner' | 'holds' | 'misses' | 'tie' | 'failed' | 'inconclusive';
}

/** The whole overlay report. */
export interface OverlayReportInput {
  kind: 'sweep' | 'capacity';
  title: string;
  /** When the experiment started, ISO 8601. */
  startedAt: string;
  /** One or two sentences: the answer first (which variant wins, or the capacity found). */
  headline: string;
  /** How the answer was reached: method, confidence, sample sizes. */
  method: string;
  variants: OverlayVariant[];
  /** Column keys and their headings, in display order, for `table[].cells`. */
  columns: Array<{ key: string; heading: string }>;
  table: OverlayTableRow[];
  /** Variant names on the Pareto front of throughput against p99 (none dominated by another). */
  pareto?: string[];
  /** The knee of each variant's latency-versus-throughput curve, where one was found. */
  knees?: Array<{ variant: string; achievedRps: number; p99Ms: number; method: string }>;
}
