/**
 * One second of a service's runtime and application figures, as the harness records it in
 * `series[].service`. Every field is optional: a figure the service does not expose is simply
 * absent. Counts are per second (the sample's own interval), gauges are the value at its end.
 */

/** Runtime and application figures of one sampling interval (normally one second). */
export interface ServiceSample {
  /** Event-loop delay beyond the sampler's 10 ms resolution, ms: p50, p99 and max over the interval. */
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
  /** Event-loop utilisation over the interval, 0..1. */
  elu?: number;
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  rssBytes?: number;
  /** Memory held by C++ objects bound to JavaScript (Buffers and the like), bytes. */
  externalBytes?: number;
  /** Total GC pause time in the interval, ms. */
  gcPauseMs?: number;
  /** GCs in the interval. */
  gcCount?: number;
  /** GC pause ms and count by kind (minor, major, incremental, weakcb). */
  gcByKind?: Record<string, { pauseMs: number; count: number }>;
  /** CPU time in user and kernel mode, % of one core over the interval. */
  cpuUserPct?: number;
  cpuSystemPct?: number;
  /** Handles and requests keeping the event loop alive (sockets, timers, ...). */
  activeHandles?: number;
  /** Connection pool: permits in use, idle, callers waiting; acquire-wait p99 over the interval (ms). */
  pool?: { inUse?: number; idle?: number; waiting?: number; acquireWaitP99Ms?: number };
  /** Cache reads in the interval by result (hit, miss, coalesced, stale, negative). */
  cache?: Record<string, number>;
  /** HTTP requests in flight at the end of the interval. */
  inFlight?: number;
  /** Requests shed (refused under pressure) in the interval. */
  shed?: number;
  /** Downstream circuit breaker: 0 closed, 1 open, 2 half-open (at the end of the interval). */
  breakerState?: number;
  /** Downstream retries in the interval. */
  retries?: number;
  /**
   * Calls made to the recommendations dependency in the interval, retries included (attempts the
   * open breaker refused made no call and are not counted).
   */
  recsCalls?: number;
}

/** The IPC message a child service sends its parent once a second when telemetry is on. */
export interface TelemetryMessage {
  type: 'telemetry';
  /** Wall clock (ms since the Unix epoch) at the end of the interval. */
  atMs: number;
  /** Length of the interval, ms (about 1000). */
  intervalMs: number;
  sample: ServiceSample;
}

/** True for a {@link TelemetryMessage}. */
export function isTelemetryMessage(value: unknown): value is TelemetryMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<TelemetryMessage>;
  return (
    m.type === 'telemetry' &&
    typeof m.atMs === 'number' &&
    typeof m.intervalMs === 'number' &&
    typeof m.sample === 'object' &&
    m.sample !== null
  );
}
