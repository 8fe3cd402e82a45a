/**
 * The result document (`result.json`, schema "loadlab/result@1"). The report, and later
 * `compare` and `gate`, read this and nothing else. Field names listed in DESIGN.md are stable.
 */
import type { LatencySummary } from '../metrics/index.js';
import type { Scenario } from '../scenario/index.js';
import type { ServiceSample } from '../telemetry/index.js';

export const resultSchemaId = 'loadlab/result@1';

/** Latency percentiles in milliseconds (microsecond resolution); the shape is the histogram module's. */
export type { LatencySummary };

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
  /**
   * The generator's check on itself: its own load (both models, when its workers reported it) and,
   * in the open model, how well it kept its schedule.
   */
  generator?: GeneratorCheck;
}

/**
 * The generator's check on itself. In the open model, when `suspect` is true it fell behind its
 * schedule and the run's figures should not be trusted as a measure of the target alone. The
 * schedule fields are absent in the closed model, which has no schedule.
 */
export interface GeneratorCheck {
  /** The load threads' event-loop utilisation (0..1; per second the max over workers), mean over the run. */
  elu?: number;
  /** The whole loadlab process's CPU, % of one core, mean over the run. */
  cpuPct?: number;
  /** Open model only: 99th percentile of (actual send − due time), ms, over requests not held back by `maxInFlight`. */
  schedulingLagP99Ms?: number;
  /** Open model only: arrivals the plan scheduled, per second of load. */
  sendRatePlanned?: number;
  /** Open model only: requests actually sent, per second of load. */
  sendRateAchieved?: number;
  /** Open model only: true when achieved < 99% of planned, or scheduling lag p99 > 1 ms. */
  suspect?: boolean;
  /** Open model only: why it is suspect, one sentence each; empty when it is not. */
  reasons?: string[];
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
  /** The generator's own load in the window: event-loop utilisation (0..1, max over workers) and process CPU (% of one core). */
  generator?: { elu: number; cpuPct: number };
  /** The service's runtime and application figures for this second, when telemetry was on. */
  service?: ServiceSample;
}

/** How service telemetry was gathered: over the child's IPC channel, or by scraping /metrics. */
export interface TelemetryInfo {
  source: 'ipc' | 'prometheus';
  /** Samples received (about one a second). */
  samples: number;
  /** Why there are few or none, when that is so. */
  note?: string;
}

/**
 * One analysis rule's answer about a run: `found` (the pattern is there), `clear` (looked, it is
 * not) or `not-enough-data` (cannot say; never a pass).
 */
export interface Finding {
  /** Stable rule id, e.g. "pool-bottleneck". */
  rule: string;
  verdict: 'found' | 'clear' | 'not-enough-data';
  /** One plain sentence with the numbers behind it. */
  message: string;
  /** The rule's threshold with its unit, e.g. "event-loop delay p99 > 100 ms in a second". */
  threshold: string;
  /** Load seconds (series t) where the pattern was seen. */
  seconds?: number[];
  /** The figures behind the verdict. */
  figures?: Record<string, number>;
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

/**
 * A fault window as it actually happened (times in seconds since the load started): when the
 * fault proxy applied it and removed it, next to when the plan said. A window still open when the
 * run ended (or was interrupted) ends there.
 */
export interface FaultRecord {
  /** The dependency it hit. */
  on: string;
  /** Toxic type: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, http_status, http_delay, http_cut; or down (the proxy disabled). */
  kind: string;
  /** The toxic's attributes (Toxiproxy names; ms, KB/s, bytes). */
  attributes: Record<string, number>;
  /** Toxics: the direction; HTTP faults: always downstream. */
  stream: 'upstream' | 'downstream';
  /** Toxics: share of connections; HTTP faults: share of matching requests. */
  toxicity: number;
  /** HTTP faults: which requests were eligible. */
  match?: { method?: string; path?: string };
  startS: number;
  endS: number;
  plannedStartS: number;
  plannedEndS: number;
  /** Set when the proxy refused to apply or remove it; the window may then not have happened. */
  error?: string;
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
  /** Fault windows as they actually happened; `loadlab run` always writes it (empty when none), older files may lack it. */
  faults?: FaultRecord[];
  summary: Summary;
  slo: SloCheck[];
  series: SeriesPoint[];
  /** The total latency histogram (microseconds), HdrHistogram base64 compressed encoding. */
  histogram: string;
  /** How the service's telemetry was gathered (absent when there was none to gather). */
  telemetry?: TelemetryInfo;
  /** What the analysis rules found in the run (src/report/findings-rules.ts). */
  findings?: Finding[];
}
