/**
 * The service's Prometheus metrics, in a Registry the service owns (never prom-client's global
 * one, so several services can live in one process). Counters are bumped on the hot path
 * through pre-bound label children; gauges are read at scrape time through `collect()`.
 * There is deliberately no per-request latency histogram: the load tool measures latency, and a
 * labelled `observe()` per request costs ~20% of throughput (FIELD-NOTES).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolCounts } from './adapters/pool-gate.js';

/** How the cache answered one read. `coalesced`: a miss that joined another's in-flight load. */
export type CacheResult = 'hit' | 'miss' | 'coalesced';
/** A kind of store call. */
export type DbOp = 'get' | 'create';
/** How one store call ended. `rejected`: the pool gate refused it (queue full, acquire timeout). */
export type DbOutcome = 'ok' | 'not_found' | 'error' | 'timeout' | 'rejected';

/** What the gauges read at scrape time. */
export interface MetricSources {
  pool(): PoolCounts;
  inFlight(): number;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Counts one finished response; `route` is the route pattern or "unmatched". */
  httpResponse(method: string, route: string, status: number): void;
  cacheResult(result: CacheResult): void;
  dbCall(op: DbOp, outcome: DbOutcome): void;
  /** Records how long a store call waited for a connection, in seconds. */
  poolAcquireWait(seconds: number): void;
  /** Tells the gauges where to read from. */
  track(sources: MetricSources): void;
}

const cacheResults: readonly CacheResult[] = ['hit', 'miss', 'coalesced'];
const dbOps: readonly DbOp[] = ['get', 'create'];
const dbOutcomes: readonly DbOutcome[] = ['ok', 'not_found', 'error', 'timeout', 'rejected'];

/** Builds the registry with default process metrics and the service's own metrics. */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: MetricSources = { pool: () => ({ inUse: 0, idle: 0, waiting: 0 }), inFlight: () => 0 };

  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP responses sent, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests received and not yet finished.',
    registers: [registry],
    collect() {
      this.set(sources.inFlight());
    },
  });
  const cacheRequests = new Counter({
    name: 'cache_requests_total',
    help: 'User cache reads, by result (coalesced: a miss that joined an in-flight load).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Store connection permits, by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = sources.pool();
      this.set({ state: 'in_use' }, counts.inUse);
      this.set({ state: 'idle' }, counts.idle);
    },
  });
  new Gauge({
    name: 'db_pool_waiting',
    help: 'Store calls queued for a connection.',
    registers: [registry],
    collect() {
      this.set(sources.pool().waiting);
    },
  });
  const acquireWait = new Histogram({
    name: 'db_pool_acquire_wait_seconds',
    help: 'Time a store call waited for a connection.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const dbCalls = new Counter({
    name: 'db_calls_total',
    help: 'Store calls, by operation and outcome.',
    labelNames: ['op', 'outcome'] as const,
    registers: [registry],
  });

  // Pre-bound children: a label lookup per increment is most of a counter's cost.
  const cacheChildren = new Map(cacheResults.map((r) => [r, cacheRequests.labels(r)]));
  const dbChildren = new Map(
    dbOps.flatMap((op) => dbOutcomes.map((outcome) => [`${op} ${outcome}`, dbCalls.labels(op, outcome)])),
  );
  for (const child of [...cacheChildren.values(), ...dbChildren.values()]) child.inc(0);
  const httpChildren = new Map<string, Counter.Internal>();

  return {
    registry,
    httpResponse(method, route, status) {
      const key = `${method} ${route} ${status}`;
      let child = httpChildren.get(key);
      if (child === undefined) {
        child = httpRequests.labels(method, route, String(status));
        httpChildren.set(key, child);
      }
      child.inc();
    },
    cacheResult: (result) => cacheChildren.get(result)?.inc(),
    dbCall: (op, outcome) => dbChildren.get(`${op} ${outcome}`)?.inc(),
    poolAcquireWait: (seconds) => acquireWait.observe(seconds),
    track(next) {
      sources = next;
    },
  };
}
