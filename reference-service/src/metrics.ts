/**
 * The service's Prometheus metrics, in a Registry the service owns (never prom-client's global
 * one, so several services can live in one process). Counters are bumped on the hot path
 * through pre-bound label children; gauges are read at scrape time through `collect()`.
 * There is deliberately no per-request latency histogram: the load tool measures latency, and a
 * labelled `observe()` per request costs ~20% of throughput (docs/measured-facts.md).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolCounts } from './adapters/pool-gate.js';
import type { RecsOutcome } from './adapters/recs-client.js';
import { breakerStateValue, type BreakerState, type ShedReason } from './resilience/index.js';

/**
 * How the cache answered one read. `coalesced`: a miss that joined another's in-flight load;
 * `stale`: an expired entry served while it is refreshed; `negative`: a cached not-found.
 */
export type CacheResult = 'hit' | 'miss' | 'coalesced' | 'stale' | 'negative';
/** A kind of store call. */
export type DbOp = 'get' | 'create' | 'replace' | 'delete';
/**
 * How one store call ended. `rejected`: the pool gate refused it (queue full, acquire timeout);
 * `unavailable`: no connection to the store could be made (it is down).
 */
export type DbOutcome = 'ok' | 'not_found' | 'error' | 'timeout' | 'rejected' | 'unavailable';

/** What the gauges read at scrape time. */
export interface MetricSources {
  pool(): PoolCounts;
  inFlight(): number;
  /** The recommendations breaker's state (default closed). */
  breaker?(): BreakerState;
  /** The PostgreSQL store's own connections (only with that store). */
  storeConnections?(): { total: number; idle: number; waiting: number } | undefined;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Counts one finished response; `route` is the route pattern or "unmatched". */
  httpResponse(method: string, route: string, status: number): void;
  /** `httpResponse` with its labels bound once: each call counts one response. */
  httpResponseCounter(method: string, route: string, status: number): () => void;
  cacheResult(result: CacheResult): void;
  dbCall(op: DbOp, outcome: DbOutcome): void;
  /** Records how long a store call waited for a connection, in seconds. */
  poolAcquireWait(seconds: number): void;
  /** Counts one error on a store connection nobody was using (e.g. the database restarted). */
  storeConnectionError(): void;
  /** Tells the gauges where to read from. */
  track(sources: MetricSources): void;
  /** Counts one request refused by admission control or load shedding. */
  shed(reason: ShedReason): void;
  /** Counts one recommendations attempt (or a call the open breaker refused). */
  recsAttempt(outcome: RecsOutcome): void;
  /** Counts one recommendations retry. */
  recsRetry(): void;
  /** Counts one retry refused because the retry budget was spent. */
  recsBudgetExhausted(): void;
  /** Counts one transition of the recommendations breaker. */
  recsBreakerTransition(to: BreakerState): void;
}

const cacheResults: readonly CacheResult[] = ['hit', 'miss', 'coalesced', 'stale', 'negative'];
const shedReasons: readonly ShedReason[] = ['max_in_flight', 'queue_timeout', 'event_loop_delay', 'heap'];
const recsOutcomes: readonly RecsOutcome[] = ['ok', 'error', 'timeout', 'cancelled', 'short_circuited'];
const breakerStates: readonly BreakerState[] = ['closed', 'open', 'half-open'];
const dbOps: readonly DbOp[] = ['get', 'create', 'replace', 'delete'];
const dbOutcomes: readonly DbOutcome[] = ['ok', 'not_found', 'error', 'timeout', 'rejected', 'unavailable'];

/** Builds the registry with default process metrics and the service's own metrics. */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: MetricSources = { pool: () => ({ inUse: 0, idle: 0, waiting: 0 }), inFlight: () => 0 };

  // method -> route -> status -> tally; grown on first use, read by collect().
  const httpTallies = new Map<string, Map<string, Map<number, Tally>>>();
  const allHttpTallies: Tally[] = [];
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP responses sent, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    collect() {
      publish(this, allHttpTallies);
    },
  });
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests received and not yet finished.',
    registers: [registry],
    collect() {
      this.set(sources.inFlight());
    },
  });
  const cacheTallies = new Map(cacheResults.map((result) => [result, new Tally({ result })]));
  new Counter({
    name: 'cache_requests_total',
    help: 'User cache reads, by result (coalesced: a miss that joined an in-flight load).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      publish(this, cacheTallies.values());
    },
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
  const dbTallies = new Map(
    dbOps.flatMap((op) => dbOutcomes.map((outcome) => [`${op} ${outcome}`, new Tally({ op, outcome })])),
  );
  new Counter({
    name: 'db_calls_total',
    help: 'Store calls, by operation and outcome.',
    labelNames: ['op', 'outcome'] as const,
    registers: [registry],
    collect() {
      publish(this, dbTallies.values());
    },
  });
  new Gauge({
    name: 'db_pg_connections',
    help: 'PostgreSQL store: connections of the pg pool by state (total, idle) and callers waiting inside pg.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = sources.storeConnections?.();
      if (counts === undefined) return;
      this.set({ state: 'total' }, counts.total);
      this.set({ state: 'idle' }, counts.idle);
      this.set({ state: 'waiting' }, counts.waiting);
    },
  });
  const storeConnectionErrors = new Counter({
    name: 'db_connection_errors_total',
    help: 'Errors on store connections nobody was using (the database restarted or went away).',
    registers: [registry],
  });

  const shedRequests = new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests refused with 503 before any work, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'recs_breaker_state',
    help: 'State of the recommendations circuit breaker: 0 closed, 1 open, 2 half-open.',
    registers: [registry],
    collect() {
      this.set(breakerStateValue[sources.breaker?.() ?? 'closed']);
    },
  });
  const breakerTransitions = new Counter({
    name: 'recs_breaker_transitions_total',
    help: 'Transitions of the recommendations circuit breaker, by the state entered.',
    labelNames: ['to'] as const,
    registers: [registry],
  });
  const recsRetries = new Counter({
    name: 'recs_retries_total',
    help: 'Recommendations calls retried.',
    registers: [registry],
  });
  const recsBudgetExhausted = new Counter({
    name: 'recs_retry_budget_exhausted_total',
    help: 'Recommendations retries refused because the retry budget was spent.',
    registers: [registry],
  });
  const recsCalls = new Counter({
    name: 'recs_calls_total',
    help: 'Recommendations attempts by outcome (short_circuited: refused by the open breaker, no call made).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const shedChildren = new Map(shedReasons.map((r) => [r, shedRequests.labels(r)]));
  const recsChildren = new Map(recsOutcomes.map((o) => [o, recsCalls.labels(o)]));
  const transitionChildren = new Map(breakerStates.map((s) => [s, breakerTransitions.labels(s)]));
  for (const child of [...shedChildren.values(), ...recsChildren.values(), ...transitionChildren.values()]) {
    child.inc(0);
  }

  /** The tally of one (method, route, status), made on first use. */
  const httpTally = (method: string, route: string, status: number): Tally => {
    let byRoute = httpTallies.get(method);
    if (byRoute === undefined) httpTallies.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) byRoute.set(route, (byStatus = new Map()));
    let tally = byStatus.get(status);
    if (tally === undefined) {
      tally = new Tally({ method, route, status: String(status) });
      byStatus.set(status, tally);
      allHttpTallies.push(tally);
    }
    return tally;
  };

  return {
    registry,
    httpResponse(method, route, status) {
      httpTally(method, route, status).n++;
    },
    httpResponseCounter(method, route, status) {
      // Made at the first count, as httpResponse makes it: the series shows once it has counted.
      let tally: Tally | undefined;
      return () => {
        (tally ??= httpTally(method, route, status)).n++;
      };
    },
    cacheResult(result) {
      const tally = cacheTallies.get(result);
      if (tally !== undefined) tally.n++;
    },
    dbCall(op, outcome) {
      const tally = dbTallies.get(`${op} ${outcome}`);
      if (tally !== undefined) tally.n++;
    },
    poolAcquireWait: (seconds) => acquireWait.observe(seconds),
    storeConnectionError: () => storeConnectionErrors.inc(),
    track(next) {
      sources = next;
    },
    shed: (reason) => shedChildren.get(reason)?.inc(),
    recsAttempt: (outcome) => recsChildren.get(outcome)?.inc(),
    recsRetry: () => recsRetries.inc(),
    recsBudgetExhausted: () => recsBudgetExhausted.inc(),
    recsBreakerTransition: (to) => transitionChildren.get(to)?.inc(),
  };
}

/**
 * One labelled series of a counter, counted on the hot path as a plain number; `publish` hands
 * what was counted since the last read to prom-client. A series that exists is published even at
 * 0, so every known label set shows from the first scrape.
 */
class Tally {
  n = 0;
  private published = -1;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  /** What was counted since the last call (the first call: everything, possibly 0). */
  take(): number | undefined {
    if (this.n === this.published) return undefined;
    const delta = this.n - Math.max(0, this.published);
    this.published = this.n;
    return delta;
  }
}

/** Adds each tally's unpublished count to `counter` (called from the counter's `collect()`). */
function publish(counter: Counter, tallies: Iterable<Tally>): void {
  for (const tally of tallies) {
    const delta = tally.take();
    if (delta !== undefined) counter.inc(tally.labels, delta);
  }
}
