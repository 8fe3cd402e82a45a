/**
 * From Prometheus samples to service samples, in two steps:
 *
 *   /metrics text or registry ─▶ PromSample[] ─▶ readPromReadings() ─▶ PromReadings (cumulative)
 *   two consecutive readings ─▶ sampleBetween(prev, cur, s) ─▶ ServiceSample (per-second figures)
 *
 * Names are prom-client's default metrics (nodejs_*, process_*) and the reference service's own
 * (db_pool_*, cache_requests_total, http_requests_*, recs_*). A series that is absent leaves its
 * field absent; nothing is invented.
 */
import { bucketDelta, bucketQuantile, type Bucket } from './bucket-quantile.js';
import type { PromSample } from './prom-text.js';
import type { ServiceSample } from './service-sample.js';

/** What one scrape says: gauges as read, counters as cumulative totals. */
export interface PromReadings {
  /** prom-client's event-loop delay gauges, ms (reset at every scrape, so per interval). */
  eventLoopLagMs?: { p50: number; p99: number; max: number };
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  rssBytes?: number;
  externalBytes?: number;
  activeHandles?: number;
  cpuUserS?: number;
  cpuSystemS?: number;
  /** Cumulative GC pause seconds and count by kind. */
  gc?: Record<string, { sumS: number; count: number }>;
  poolInUse?: number;
  poolIdle?: number;
  poolWaiting?: number;
  /** Cumulative buckets of db_pool_acquire_wait_seconds. */
  acquireWaitBuckets?: Bucket[];
  /** Cumulative cache reads by result. */
  cache?: Record<string, number>;
  inFlight?: number;
  shedTotal?: number;
  breakerState?: number;
  retriesTotal?: number;
  /** Cumulative recommendations calls made (recs_calls_total, every outcome but short_circuited). */
  recsCallsTotal?: number;
}

/**
 * The resolution prom-client's (and the reference sampler's) event-loop delay monitor samples at,
 * ms (prom-client's default `eventLoopMonitoringPrecision`); its readings include it.
 */
export const eventLoopResolutionMs = 10;

/** Picks the known series out of parsed samples. */
export function readPromReadings(samples: readonly PromSample[]): PromReadings {
  const byName = new Map<string, PromSample[]>();
  for (const s of samples) {
    const list = byName.get(s.name);
    if (list === undefined) byName.set(s.name, [s]);
    else list.push(s);
  }
  const one = (name: string, where: (l: Record<string, string>) => boolean = () => true) => {
    const list = byName.get(name)?.filter((s) => where(s.labels));
    if (list === undefined || list.length === 0) return undefined;
    return list.reduce((sum, s) => sum + s.value, 0);
  };
  const r: PromReadings = {};
  const p50 = one('nodejs_eventloop_lag_p50_seconds');
  const p99 = one('nodejs_eventloop_lag_p99_seconds');
  const max = one('nodejs_eventloop_lag_max_seconds');
  if (p50 !== undefined && p99 !== undefined && max !== undefined) {
    r.eventLoopLagMs = { p50: p50 * 1000, p99: p99 * 1000, max: max * 1000 };
  }
  set(r, 'heapUsedBytes', one('nodejs_heap_size_used_bytes'));
  set(r, 'heapTotalBytes', one('nodejs_heap_size_total_bytes'));
  set(r, 'rssBytes', one('process_resident_memory_bytes'));
  set(r, 'externalBytes', one('nodejs_external_memory_bytes'));
  set(r, 'activeHandles', one('nodejs_active_handles_total'));
  set(r, 'cpuUserS', one('process_cpu_user_seconds_total'));
  set(r, 'cpuSystemS', one('process_cpu_system_seconds_total'));
  const gcSums = byName.get('nodejs_gc_duration_seconds_sum');
  if (gcSums !== undefined) {
    r.gc = {};
    for (const s of gcSums) {
      const kind = s.labels.kind ?? 'all';
      const count = one('nodejs_gc_duration_seconds_count', (l) => (l.kind ?? 'all') === kind) ?? 0;
      r.gc[kind] = { sumS: s.value, count };
    }
  }
  set(
    r,
    'poolInUse',
    one('db_pool_connections', (l) => l.state === 'in_use'),
  );
  set(
    r,
    'poolIdle',
    one('db_pool_connections', (l) => l.state === 'idle'),
  );
  set(r, 'poolWaiting', one('db_pool_waiting'));
  const buckets = byName.get('db_pool_acquire_wait_seconds_bucket');
  if (buckets !== undefined) {
    // Summed by bound over any other labels (several pools read as one).
    const byLe = new Map<number, number>();
    for (const b of buckets) byLe.set(Number(b.labels.le), (byLe.get(Number(b.labels.le)) ?? 0) + b.value);
    r.acquireWaitBuckets = [...byLe].map(([le, count]) => ({ le, count }));
  }
  const cache = byName.get('cache_requests_total');
  if (cache !== undefined) {
    r.cache = {};
    for (const s of cache) {
      const result = s.labels.result ?? 'all';
      r.cache[result] = (r.cache[result] ?? 0) + s.value;
    }
  }
  set(r, 'inFlight', one('http_requests_in_flight'));
  set(r, 'shedTotal', one('http_requests_shed_total'));
  set(r, 'breakerState', one('recs_breaker_state'));
  set(r, 'retriesTotal', one('recs_retries_total'));
  const calls = byName.get('recs_calls_total');
  if (calls !== undefined) {
    r.recsCallsTotal = calls
      .filter((c) => c.labels.outcome !== 'short_circuited')
      .reduce((n, c) => n + c.value, 0);
  }
  return r;
}

function set<K extends keyof PromReadings>(
  r: PromReadings,
  key: K,
  value: PromReadings[K] | undefined,
): void {
  if (value !== undefined && !Number.isNaN(value)) r[key] = value;
}

/**
 * The service sample for the interval between two readings `intervalS` seconds apart. Gauges
 * come from `cur`; counters are differences, so they need `prev` and are absent without it.
 */
export function sampleBetween(
  prev: PromReadings | undefined,
  cur: PromReadings,
  intervalS: number,
): ServiceSample {
  const out: ServiceSample = {};
  if (cur.eventLoopLagMs !== undefined) {
    const beyond = (ms: number) => round(Math.max(0, ms - eventLoopResolutionMs), 3);
    out.eventLoopDelayMs = {
      p50: beyond(cur.eventLoopLagMs.p50),
      p99: beyond(cur.eventLoopLagMs.p99),
      max: beyond(cur.eventLoopLagMs.max),
    };
  }
  copy(out, 'heapUsedBytes', cur.heapUsedBytes);
  copy(out, 'heapTotalBytes', cur.heapTotalBytes);
  copy(out, 'rssBytes', cur.rssBytes);
  copy(out, 'externalBytes', cur.externalBytes);
  copy(out, 'activeHandles', cur.activeHandles);
  copy(out, 'inFlight', cur.inFlight);
  copy(out, 'breakerState', cur.breakerState);
  if (cur.poolInUse !== undefined || cur.poolIdle !== undefined || cur.poolWaiting !== undefined) {
    out.pool = {};
    if (cur.poolInUse !== undefined) out.pool.inUse = cur.poolInUse;
    if (cur.poolIdle !== undefined) out.pool.idle = cur.poolIdle;
    if (cur.poolWaiting !== undefined) out.pool.waiting = cur.poolWaiting;
  }
  if (prev === undefined || intervalS <= 0) return out;

  const pct = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : round((Math.max(0, b - a) / intervalS) * 100, 2);
  copy(out, 'cpuUserPct', pct(prev.cpuUserS, cur.cpuUserS));
  copy(out, 'cpuSystemPct', pct(prev.cpuSystemS, cur.cpuSystemS));
  if (cur.gc !== undefined) {
    const byKind: NonNullable<ServiceSample['gcByKind']> = {};
    let pauseMs = 0;
    let count = 0;
    for (const [kind, now] of Object.entries(cur.gc)) {
      const before = prev.gc?.[kind] ?? { sumS: 0, count: 0 };
      const k = {
        pauseMs: round(Math.max(0, now.sumS - before.sumS) * 1000, 3),
        count: Math.max(0, now.count - before.count),
      };
      byKind[kind] = k;
      pauseMs += k.pauseMs;
      count += k.count;
    }
    out.gcPauseMs = round(pauseMs, 3);
    out.gcCount = count;
    out.gcByKind = byKind;
  }
  if (cur.acquireWaitBuckets !== undefined && out.pool !== undefined) {
    const p99 = bucketQuantile(0.99, bucketDelta(prev.acquireWaitBuckets, cur.acquireWaitBuckets));
    if (p99 !== undefined) out.pool.acquireWaitP99Ms = round(p99 * 1000, 3);
  }
  if (cur.cache !== undefined) {
    out.cache = {};
    for (const [result, total] of Object.entries(cur.cache)) {
      out.cache[result] = Math.max(0, total - (prev.cache?.[result] ?? 0));
    }
  }
  if (cur.shedTotal !== undefined) out.shed = Math.max(0, cur.shedTotal - (prev.shedTotal ?? 0));
  if (cur.retriesTotal !== undefined) out.retries = Math.max(0, cur.retriesTotal - (prev.retriesTotal ?? 0));
  if (cur.recsCallsTotal !== undefined) {
    out.recsCalls = Math.max(0, cur.recsCallsTotal - (prev.recsCallsTotal ?? 0));
  }
  return out;
}

function copy<K extends keyof ServiceSample>(
  out: ServiceSample,
  key: K,
  value: ServiceSample[K] | undefined,
): void {
  if (value !== undefined) out[key] = value;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
