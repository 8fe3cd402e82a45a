/**
 * The result document (`result.json`, schema "loadlab/result@1"). The report, and later
 * `compare` and `gate`, read this and nothing else. Field names listed in DESIGN.md are stable.
 */
import type { Scenario } from '../scenario/schema.js';

export const resultSchemaId = 'loadlab/result@1';

/** Latency percentiles in milliseconds (microsecond resolution). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
}

/** Errors by kind: "4xx", "5xx" (unexpected statuses by class), "timeout", "reset", "refused", "other". */
export interface ErrorCounts {
  total: number;
  byKind: Record<string, number>;
}

export interface SloCheck {
  /** Which objective: "p99Ms", "p50Ms", "errorRate". */
  name: string;
  limit: number;
  actual: number;
  held: boolean;
  /** limit − actual: positive is headroom, negative is by how much it was missed. */
  margin: number;
  /** Why the check could not be judged, e.g. "not enough data"; such a check is never held. */
  reason?: string;
}

export interface Summary {
  /** Responses received (any status). */
  requests: number;
  /** Requests sent. */
  sent: number;
  /** Requests due but never sent (open model); 0 in the closed model. */
  dropped: number;
  /**
   * Requests sent whose answer never arrived because a phase or the run ended first (in the
   * closed model at most one per connection per phase). The service may still have counted them.
   */
  inFlightAtStop: number;
  errors: ErrorCounts;
  /** Responses per second over the measured phases. */
  rps: number;
  latencyMs: LatencySummary;
  /** Bytes of response received. */
  bytesRead: number;
  /** Seconds of load actually driven. */
  durationS: number;
  /** Requests the service counted, read from its /metrics after the load stopped, when available. */
  serviceCounted?: number;
  /** Open model only: latency timed from the actual send rather than the due time. */
  serviceTimeMs?: LatencySummary;
  /** Open model only: how well the generator kept its schedule. */
  generator?: GeneratorCheck;
}

/**
 * The open-model generator's check on itself. When `suspect` is true it fell behind its schedule
 * and the run's figures should not be trusted as a measure of the target alone.
 */
export interface GeneratorCheck {
  /** 99th percentile of (actual send − due time), ms, over requests not held back by `maxInFlight`. */
  schedulingLagP99Ms: number;
  /** Arrivals the plan scheduled, per second of load. */
  sendRatePlanned: number;
  /** Requests actually sent, per second of load. */
  sendRateAchieved: number;
  /** True when achieved < 99% of planned, or scheduling lag p99 > 1 ms. */
  suspect: boolean;
  /** Why it is suspect, one sentence each; empty when it is not. */
  reasons: string[];
}

export interface SeriesPoint {
  /** Seconds since the run's load started; the window is [t, t+1). */
  t: number;
  /** Responses in the window. */
  requests: number;
  rps: number;
  errors: number;
  /** Errors in the window by kind, as in summary.errors.byKind. */
  errorsByKind: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Open model only: latency from the actual send, in the window. */
  serviceTimeMs?: { p50: number; p90: number; p99: number; max: number };
}

export interface PhaseRecord {
  name: string;
  /** Seconds since the load started. */
  startS: number;
  endS: number;
  /** Closed model: connections kept busy. */
  connections?: number;
  /** Open model: arrivals per second, ramped linearly from `from` to `to` (equal when constant). */
  rate?: { from: number; to: number };
}

export interface Environment {
  loadlabVersion: string;
  node: string;
  os: string;
  cpuModel: string;
  cpus: number;
  hostname: string;
  gitCommit?: string;
}

export interface ResultDocument {
  schema: typeof resultSchemaId;
  /** ISO time the load started. */
  startedAt: string;
  endedAt: string;
  interrupted: boolean;
  /** Why the run ended early, when it did. */
  abortReason?: string;
  scenario: Scenario;
  /** Where load was sent ("reference service" runs record the URL it had). */
  target: { url: string; kind: 'reference' | 'external' };
  environment: Environment;
  phases: PhaseRecord[];
  summary: Summary;
  slo: SloCheck[];
  series: SeriesPoint[];
  /** The total latency histogram (microseconds), HdrHistogram base64 compressed encoding. */
  histogram: string;
}
