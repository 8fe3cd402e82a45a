/**
 * The result document (`result.json`, schema "loadlab/result@1"). The report, and later
 * `compare` and `gate`, read this and nothing else. Field names listed in docs/result-document.md are stable.
 */
import type { LatencySummary } from '../metrics/index.js';
import type { Scenario } from '../scenario/index.js';
import type { ServiceSample } from '../telemetry/index.js';

export const resultSchemaId = 'loadlab/result@1';

/**
 * Error kinds of requests that got no response: transport failures (timeout, reset, refused,
 * framing: bytes that are not a well-framed HTTP/1.x response; dns, connect; tls-expired,
 * tls-hostname, tls-untrusted, tls-alpn, tls; h2-reset, h2-goaway; other) and requests still
 * unanswered when the load stopped. Every other kind ("4xx", "5xx") is a response with an
 * unexpected status.
 */
export const noResponseKinds: readonly string[] = [
  'timeout',
  'reset',
  'refused',
  'framing',
  'dns',
  'connect',
  'tls-expired',
  'tls-hostname',
  'tls-untrusted',
  'tls-alpn',
  'tls',
  'h2-reset',
  'h2-goaway',
  'other',
  'unanswered',
];

/** Latency percentiles in milliseconds (microsecond resolution); the shape is the histogram module's. */
export type { LatencySummary };

/**
 * Errors by kind: "4xx", "5xx" (unexpected statuses by class), "timeout", "reset", "refused",
 * "other" (failed without an answer), and "unanswered" (still without an answer when the load
 * stopped waiting; see `Summary.unanswered`).
 */
export interface ErrorCounts {
  total: number;
  byKind: Record<string, number>;
}

export interface SloCheck {
  /** Which objective: "p99Ms", "p50Ms", "errorRate", "recoveryS", "retryAmplification". */
  name: string;
  /**
   * Where it was judged: "run", "phase:<name>", "fault:<name>" (during the window) or
   * "after:fault:<name>" (from the window's end); absent in older files (the whole run).
   */
  scope?: string;
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
   * Requests sent whose answer had not arrived when the load stopped waiting (the run's end plus
   * a drain of up to min(timeout, 1 s), or at once when stopped early), counted one by one by the
   * engines; equal to `unanswered` in results that have it. The service may still have counted them.
   */
  inFlightAtStop: number;
  /**
   * Requests still unanswered when the load stopped waiting. Each weighs on the latencies at its
   * age (from its due time in the open model, from its send in the closed model) and is an error
   * of kind "unanswered". `sent = requests + transport errors + unanswered`. Absent in results
   * written before it existed.
   */
  unanswered?: number;
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
 * The generator's verdict on its own measurement: "ok"; "saturated" (the generator itself could
 * not keep up: its event loop near 100% busy, or its sends behind plan); "busy-host" (its sends
 * were late by a share of the latencies measured while the generator itself was not busy: other
 * work on the host delayed it); "not-enough-data". docs/measurement-edges.md gives the thresholds.
 */
export type GeneratorVerdict = 'ok' | 'saturated' | 'busy-host' | 'not-enough-data';

/**
 * The generator's check on itself. In the open model, when `suspect` is true the generator (or the
 * host it ran on) delayed its sends enough to show in the latencies, and the run's figures should
 * not be trusted as a measure of the target alone. The schedule fields are absent in the closed
 * model, which has no schedule.
 */
export interface GeneratorCheck {
  /** Whether the generator's own state distorted the measurement, and who is to blame. */
  verdict?: GeneratorVerdict;
  /** The busiest second's event-loop utilisation (0..1, max over workers). */
  eluMax?: number;
  /** Seconds whose event-loop utilisation (max over workers) was over the saturation limit. */
  eluSaturatedSeconds?: number;
  /** Open model only: scheduling lag p50, ms. */
  schedulingLagP50Ms?: number;
  /** Open model only: latency p99 (from the due time, ms) the lag is weighed against. */
  latencyP99Ms?: number;
  /** Open model only: scheduling lag p99 as a share of latency p99 (0..; 0 with no latencies). */
  lagShareOfLatency?: number;
  /** Open model only: requests due, not dropped by the bound, and never sent. */
  behindPlan?: number;
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
  /** Flows with module steps: share of the load threads' time spent in the modules' functions (0..1). */
  moduleShare?: number;
  /** Open model only: true when the verdict is "saturated" or "busy-host". */
  suspect?: boolean;
  /** Why the verdict is what it is, one sentence each with its figures; empty when "ok". */
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
  /** Requests still unanswered when the load stopped, recorded in this (the last) second, when any. */
  unanswered?: number;
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
  /**
   * Prometheus: the error kind (docs/targets.md) of the last failed read of /metrics, when it
   * failed at reaching the target (DNS, connect, TLS, ...), e.g. "tls-untrusted".
   */
  errorKind?: string;
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

/**
 * A window's exact figures, merged from its seconds' histograms: the window covers every whole
 * load second t (series t, the second [t, t+1)) with `fromS <= t < toS`.
 */
export interface WindowFigures {
  fromS: number;
  /** Exclusive. */
  toS: number;
  /** Responses (any status). */
  requests: number;
  errors: ErrorCounts;
  latencyMs: LatencySummary;
}

/** How long p99 and error rate took to come back after a fault window (see docs/slo.md). */
export interface RecoveryRecord {
  /** The fault's name. */
  fault: string;
  /** Seconds from the window's end until back within the margin for 3 s on end; null: never (the run ended first). */
  recoveryS: number | null;
  /** Median per-second p99 over the up to 10 s before the fault, ms. */
  baselineP99Ms: number;
  /** Error rate over the same seconds (0..1). */
  baselineErrorRate: number;
  /** The margin used (0.2 = 20% above the baseline p99; error rate within +1 percentage point). */
  margin: number;
  /** Why there is no answer, e.g. "not enough data" (no second before the fault had a response). */
  reason?: string;
}

export interface PhaseRecord {
  name: string;
  /** Seconds since the load started. */
  startS: number;
  endS: number;
  /** The phase's exact figures (absent in older files). */
  figures?: WindowFigures;
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
  /** What SLO scopes call it (`fault:<name>`): its `name` in the scenario, or `<on>-<kind>`. */
  name?: string;
  /** Exact figures during the window (absent in older files). */
  figures?: WindowFigures;
  /** Exact figures from the window's end to the run's end. */
  afterFigures?: WindowFigures;
  /** Exact figures for each `after` SLO's `for` (seconds, as a key) from the window's end. */
  afterFiguresFor?: Record<string, WindowFigures>;
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

/** Percentiles of one connection step, ms. */
export interface StepTimesMs {
  p50: number;
  p99: number;
  max: number;
}

/** How the load reached the target, and what its connections cost apart from request latency. */
export interface ConnectionsRecord {
  /** The protocol spoken: "h1" (HTTP/1.1), "h2" (HTTP/2 over TLS), "h2c" (HTTP/2 in cleartext). */
  protocol: 'h1' | 'h2' | 'h2c';
  /** What the scenario asked for (`load.protocol`; "auto" is settled by ALPN before the load starts). */
  asked: 'h1' | 'h2' | 'h2c' | 'auto';
  /** Whether the target was reached over TLS. */
  tls: boolean;
  /** Present (true) when certificate verification was turned off: the target's identity was not checked. */
  insecure?: true;
  /** Connections opened. */
  opened: number;
  /** From opening to TCP established, DNS lookup included, per connection, ms. */
  connectMs: StepTimesMs;
  /** TLS handshake per connection, ms; absent over plain HTTP. */
  tlsMs?: StepTimesMs;
  /** HTTP/2 only. */
  h2?: {
    /** The server's SETTINGS as the first connection received them (Node's names, e.g. maxConcurrentStreams). */
    settings?: Record<string, number | boolean>;
    /** The most streams one connection carried at once. */
    peakStreamsPerConnection: number;
    /** GOAWAY frames received. */
    goaways: number;
    /** Streams the server reset (RST_STREAM). */
    resets: number;
  };
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

/** A failure that ended a run early: the error code (docs/errors) and its message. */
export interface RunFailure {
  code: string;
  message: string;
}

/** One check of a flow step: how often it held and how often it failed. */
export interface StepCheckRecord {
  name: string;
  passes: number;
  failures: number;
}

/**
 * One step of a flow (`load.flows`), with its own figures: its latency (open model: from the
 * time it was due, i.e. the previous answer plus the think time), its counts, errors and checks.
 * `sent = requests + no-response errors + unanswered`; a `module` error sent nothing.
 */
export interface StepRecord {
  /** The step's name (`slo: step:` names it). */
  name: string;
  flow: string;
  /** What it sends: "GET /users/{{vars.id}}", or "module ./sign.mjs#sign". */
  request: string;
  sent: number;
  /** Answers received (any status). */
  requests: number;
  unanswered: number;
  /** Errors by kind: "4xx", "5xx", "capture" (a capture found nothing), "module", "timeout", ... */
  errors: ErrorCounts;
  latencyMs: LatencySummary;
  /** Open model only: from the actual send. */
  serviceTimeMs?: LatencySummary;
  checks: StepCheckRecord[];
  /** The step's total histogram (µs), HdrHistogram base64 compressed encoding. */
  histogram: string;
  /** One point per second of the run: answers, errors and latency quantiles of this step. */
  series: {
    t: number;
    requests: number;
    errors: number;
    latencyMs: { p50: number; p90: number; p99: number; max: number };
  }[];
  /** A module step's errors, with the module's file and line when the stack named them. */
  moduleErrors?: { at?: string; message: string; count: number }[];
}

/** One flow's journeys: how they ended and how long a completed one took. */
export interface JourneyRecord {
  flow: string;
  weight: number;
  started: number;
  /** Every step answered as expected and every capture found its value. */
  completed: number;
  /** Ended early: an unexpected status, a capture that found nothing, a failed request, a module error. */
  failed: number;
  /** Still under way when the run ended. */
  unfinished: number;
  /** Completed journeys, from the first step's due time (closed model: its send) to the last answer, think times included. */
  durationMs: LatencySummary;
}

/**
 * What a shard of a run (`loadlab run --shard i/n --start-at T`) records of itself, so that
 * `loadlab merge` can tell the shards of one run from others and merge them exactly.
 */
export interface ShardRecord {
  /** This shard's number, from 0 to `count` − 1. */
  index: number;
  /** How many shards the run was split into. */
  count: number;
  /** The resolved scenario's identity ("sha256:…"): every shard of one run has the same. */
  scenarioId: string;
  /** Length of the whole run's plan, ms (a cap on the run's duration changes it). */
  plannedMs: number;
  /** Open model: the arrivals this shard's schedule made due (its stripe of the plan). */
  planned?: number;
  /** The start time every shard was given (`--start-at`), ISO 8601. */
  startAt: string;
  /**
   * The shard's own wall clock: when it was ready to start, when its load's time zero was, and
   * that zero less `startAt`, ms (0: on time). loadlab trusts each machine's clock (NTP).
   */
  clock: { readyAt: string; startedAt: string; offsetMs: number };
  /** Open model: the shard's whole service-time histogram (µs), encoded, for an exact merge. */
  serviceHistogram?: string;
  /** Open model: the shard's scheduling-lag histogram (µs), encoded, for the merged self-check. */
  lagHistogram?: string;
  /** Flows only: per step, in `steps[]` order, its histograms for an exact merge. */
  steps?: ShardStepHistograms[];
  /** Flows only: per flow, in `journeys[]` order, its completed journeys' durations (µs), encoded. */
  journeyHistograms?: string[];
}

/** One step's histograms in a shard's result (µs, encoded), for `loadlab merge`. */
export interface ShardStepHistograms {
  /** Its latency in each second it answered something (second `t` of the run). */
  seconds: { t: number; histogram: string }[];
  /** Open model: its whole service-time histogram. */
  serviceHistogram?: string;
}

/** One shard of a merged result, as it ran (`merged.shards[]`). */
export interface MergedShard {
  index: number;
  /** The host it ran on (environment.hostname). */
  hostname: string;
  target: string;
  clock: ShardRecord['clock'];
  sent: number;
  requests: number;
  errors: number;
  durationS: number;
  interrupted: boolean;
  failure?: RunFailure;
  /** The requests the target counted, as this shard read them at its end. */
  serviceCounted?: number;
  /** This shard's generator self-check, as it judged itself. */
  generator?: GeneratorCheck;
}

/** How a merged result was made (`loadlab merge`). */
export interface MergeRecord {
  /** How many shards the run was split into. */
  count: number;
  /** The shards merged, in order of index. */
  shards: MergedShard[];
  /** Shard numbers that were not given to the merge: the result then holds less than the plan. */
  missing: number[];
}

export interface ResultDocument {
  schema: typeof resultSchemaId;
  /** ISO time the load started. */
  startedAt: string;
  endedAt: string;
  interrupted: boolean;
  /** Why the run ended early, when it did (an interrupt, or the failure's message). */
  abortReason?: string;
  /** Set when the run failed part-way (a load worker or a child died, the output could not be written): what was measured before is kept. */
  failure?: RunFailure;
  scenario: Scenario;
  /** Where load was sent ("reference service" runs record the URL it had). */
  target: { url: string; kind: 'reference' | 'external' };
  environment: Environment;
  phases: PhaseRecord[];
  /** Protocol, TLS, and per-connection connect and handshake times (absent in older files and when no load ran). */
  connections?: ConnectionsRecord;
  /** Fault windows as they actually happened; `loadlab run` always writes it (empty when none), older files may lack it. */
  faults?: FaultRecord[];
  summary: Summary;
  slo: SloCheck[];
  /** Recovery time after each fault window a `recoveryS` SLO names (filled by the analysis). */
  recovery?: RecoveryRecord[];
  series: SeriesPoint[];
  /** The total latency histogram (microseconds), HdrHistogram base64 compressed encoding. */
  histogram: string;
  /** How the service's telemetry was gathered (absent when there was none to gather). */
  telemetry?: TelemetryInfo;
  /** What the analysis rules found in the run (src/report/findings-rules.ts). */
  findings?: Finding[];
  /** Flows only: every step's own figures, in the order of the flows and their steps. */
  steps?: StepRecord[];
  /** Flows only: each flow's journeys. */
  journeys?: JourneyRecord[];
  /** Set on the result of one shard of a run (`loadlab run --shard`). */
  shard?: ShardRecord;
  /** Set on a result merged from shards (`loadlab merge`). */
  merged?: MergeRecord;
}
