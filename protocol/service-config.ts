/**
 * The reference service's knobs: every one has a default, a range, and a line of documentation.
 * The same schema validates the scenario's `service:` section and `loadlab serve --set`.
 */
import { z } from 'zod';

const ms = (def: number, max = 600_000) => z.number().int().min(0).max(max).default(def);
/** What a knob's documentation says beyond its description (docs/reference-service.md is generated from both). */
export interface KnobNote {
  /** What to watch when you turn it: the metric or symptom that moves ('' when nothing in particular). */
  watch: string;
  /** The default in words, for a knob whose default is derived from another. */
  defaultText?: string;
}

/** Notes per knob, kept beside the schema but out of its JSON Schema (only descriptions go there). */
export const knobNotes = z.registry<KnobNote>();
/** A knob: its schema, one description with units, and what to watch when it is turned. */
function knob<T extends z.ZodType>(schema: T, description: string, watch: string, defaultText?: string): T {
  const described = schema.describe(description);
  knobNotes.add(described, defaultText === undefined ? { watch } : { watch, defaultText });
  return described;
}
/** The recommendations client: pool, per-call timeout, retry, breaker, fallback. */
const recommendationsKnobsSchema = z
  .strictObject({
    connections: knob(
      z.number().int().min(1).max(1024).default(16),
      'Sockets to the recommendations API; a bulkhead queues the rest.',
      'too few: profiles wait for a socket, then time out; `recs_calls_total{outcome="timeout"}` rises while the API is idle',
    ),
    timeoutMs: knob(
      z.number().int().min(1).max(600_000).default(150),
      'Deadline of one attempt in ms, waiting for a socket included, within the request deadline.',
      "lower: degraded profiles sooner when the API is slow; below the API's own p99, healthy calls fail too",
    ),
    retry: z
      .strictObject({
        attempts: knob(
          z.number().int().min(1).max(10).default(2),
          'Attempts per call, the first included (1: no retry).',
          'more: fewer degraded answers on a flaky API, longer tails, and up to `budgetRatio` more load on it',
        ),
        backoffMs: knob(
          ms(20),
          'Wait before the first retry in ms; doubles after each (backoffMs × 2^(n−1)).',
          'longer: retries miss short blips but eat the deadline',
        ),
        jitter: knob(
          z.enum(['full', 'none']).default('full'),
          '`full`: each wait drawn (seeded) from 0 to the exponential value; `none`: exact.',
          '`none` lets callers that failed together retry together',
        ),
        budgetRatio: knob(
          z.number().min(0).max(10).default(0.1),
          'Retries allowed per call made over the last 10 s, plus 10.',
          '`recs_retry_budget_exhausted_total`; higher: a failing API gets up to that much more load',
        ),
      })
      .prefault({}),
    breaker: z
      .strictObject({
        failureRatio: knob(
          z.number().gt(0).max(1).default(0.5),
          'Share of failed calls over `windowMs` that opens the breaker (4xx not counted).',
          'lower opens sooner (on blips too); `recs_breaker_transitions_total`',
        ),
        minRequests: knob(
          z.number().int().min(1).max(1_000_000).default(20),
          'Calls needed in `windowMs` before the ratio counts.',
          'lower: a few failures at low traffic open it',
        ),
        halfOpenAfterMs: knob(
          z.number().int().min(1).max(600_000).default(2000),
          'Time open (ms) before one trial call is let through.',
          'shorter: recovery is noticed sooner, a sick API is probed more',
        ),
        windowMs: knob(
          z.number().int().min(100).max(600_000).default(10_000),
          'The sampling window (ms) of `failureRatio` and `minRequests`.',
          'longer: steadier, but at a high rate a sudden outage needs longer to outweigh the successes before it',
        ),
      })
      .prefault({}),
    fallback: knob(
      z.boolean().default(true),
      'Answer a degraded profile (200, `degraded: true`, no recommendations) when recommendations fail; off: answer the error.',
      'off: recommendation faults become 5xx errors',
    ),
  })
  .prefault({});
/** Knobs a user tunes. All durations in milliseconds. */
export const serviceKnobsSchema = z
  .strictObject({
    db: z
      .strictObject({
        pool: z
          .strictObject({
            max: knob(
              z.number().int().min(1).max(1024).default(10),
              'Connections to the user store.',
              "too few: requests queue for the pool and p99 rises; more than the database's `capacity`: they queue in the database instead",
            ),
            queueMax: knob(
              z.number().int().min(0).max(1_000_000).default(1000),
              'Requests that may wait for a connection; past it, 503 at once.',
              'lower sheds load early (fast 503s) instead of queueing (slow 200s)',
            ),
            acquireTimeoutMs: knob(
              ms(1000),
              'Longest wait (ms) for a connection before 503.',
              'bounds the queueing share of p99',
            ),
          })
          .prefault({}),
        queryTimeoutMs: knob(
          ms(1000),
          "Deadline (ms) of one store call, within the request's own deadline.",
          '504s when the database is slower than this',
        ),
        postgres: z
          .strictObject({
            idleTimeoutMs: knob(
              ms(10_000),
              'PostgreSQL store: an idle connection is closed after this (ms); 0 keeps it.',
              'short: connections are reopened under bursty load (`db_pg_connections{state="total"}` falls and climbs, p99 pays the connect)',
            ),
            connectionTimeoutMs: knob(
              z.number().int().min(1).max(600_000).default(1000),
              "PostgreSQL store: longest wait (ms) to open one connection, then 503; never 0 (pg's default 0 waits forever).",
              'while the database is unreachable rather than refusing, every call waits this long before its 503',
            ),
            statementTimeoutMs: knob(
              z.number().int().min(1).max(600_000).optional(),
              "PostgreSQL store: the server's `statement_timeout` (ms) on every connection.",
              'below `db.queryTimeoutMs`: slow statements end as 504 `timeout` server-side first; far above: the server keeps working on calls nobody waits for',
              '`db.queryTimeoutMs`',
            ),
          })
          .prefault({}),
      })
      .prefault({}),
    cache: z
      .strictObject({
        enabled: knob(
          z.boolean().default(true),
          'Cache-aside in front of the store.',
          'off: every read reaches the pool',
        ),
        maxEntries: knob(
          z.number().int().min(1).max(10_000_000).default(10_000),
          'Entries kept; the least recently used is evicted.',
          'hit ratio against the key distribution',
        ),
        ttlMs: knob(
          // At least 1: lru-cache reads a TTL of 0 as "never expires", the opposite of what 0 suggests.
          z.number().int().min(1).max(86_400_000).default(5000),
          'How long (ms) an entry is served before it is read again; at least 1 (`cache.enabled: false` turns the cache off).',
          'longer: more hits, staler data',
        ),
        singleflight: knob(
          z.boolean().default(true),
          'Concurrent misses for one key share one store read.',
          "off: a hot key's expiry sends a burst to the store",
        ),
        staleWhileRevalidateMs: knob(
          ms(0, 86_400_000),
          'Past `ttlMs`, an entry is still served this long (ms) while one background read refreshes it; 0: off.',
          '`cache_requests_total{result="stale"}`; misses (and their latency) vanish for hot keys',
        ),
        negativeTtlMs: knob(
          ms(0, 86_400_000),
          'How long (ms) a not-found answer is cached; 0: not cached.',
          '`cache_requests_total{result="negative"}`; a user created meanwhile is seen at once anyway',
        ),
      })
      .prefault({}),
    recommendations: recommendationsKnobsSchema,
    server: z
      .strictObject({
        requestTimeoutMs: knob(
          z.number().int().min(1).max(600_000).default(2000),
          'Deadline (ms) of a whole request, flowing down to the store and recommendations calls.',
          'the ceiling of p99 under overload',
        ),
        drainTimeoutMs: knob(
          ms(5000),
          'Longest graceful drain (ms) on SIGTERM before the service exits anyway.',
          'requests still running when it passes have their connections cut',
        ),
        keepAliveTimeoutMs: knob(ms(5000), 'Idle keep-alive sockets are closed after this (ms).', ''),
        bodyLimitBytes: knob(
          z.number().int().min(64).max(100_000_000).default(16_384),
          'Largest request body (bytes); larger gets 413.',
          '',
        ),
        maxInFlight: knob(
          z.number().int().min(1).max(1_000_000).default(1024),
          'Requests on user routes handled at once.',
          'lower: overload turns into fast 503s instead of queueing; `http_requests_shed_total{reason="max_in_flight"}`',
        ),
        queueMax: knob(
          z.number().int().min(0).max(1_000_000).default(0),
          'Requests that may wait for an in-flight slot; past it, 503 at once.',
          'absorbs bursts, at the cost of their latency',
        ),
        queueTimeoutMs: knob(
          ms(100),
          'Longest wait (ms) in that queue before 503.',
          '`http_requests_shed_total{reason="queue_timeout"}`',
        ),
        headersTimeoutMs: knob(
          z.number().int().min(1).max(600_000).default(10_000),
          'A client must send its headers within this (ms), or gets 408.',
          'slow-headers clients hold sockets until then',
        ),
        receiveTimeoutMs: knob(
          ms(30_000),
          'A client must send its whole request within this (ms), or gets 408; 0: no limit.',
          'slow-body clients',
        ),
        connectionsCheckingIntervalMs: knob(
          z.number().int().min(10).max(600_000).default(1000),
          'How often (ms) Node checks the two timeouts above.',
          "they bite up to this late; Node's default is 30 s",
        ),
        shed: z
          .strictObject({
            maxEventLoopDelayMs: knob(
              ms(0),
              'Shed (503) while the event-loop delay is over this (ms); 0: off.',
              '`http_requests_shed_total{reason="event_loop_delay"}`; too low sheds on GC pauses',
            ),
            maxHeapUsedBytes: knob(
              z.number().int().min(0).default(0),
              'Shed (503) while the V8 heap in use is over this (bytes); 0: off.',
              '`http_requests_shed_total{reason="heap"}`',
            ),
          })
          .prefault({}),
      })
      .refine((s) => s.receiveTimeoutMs === 0 || s.headersTimeoutMs <= s.receiveTimeoutMs, {
        message: 'headersTimeoutMs must not exceed receiveTimeoutMs (Node refuses it)',
        path: ['headersTimeoutMs'],
      })
      .prefault({}),
    log: z
      .strictObject({
        level: knob(
          z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
          "The service's pino log level (written to stdout).",
          '',
        ),
      })
      .prefault({}),
  })
  .prefault({});

/** Knobs as written by a user: every field optional. */
export type ServiceKnobsInput = z.input<typeof serviceKnobsSchema>;
/** Knobs with every default filled in. */
export type ServiceKnobs = z.output<typeof serviceKnobsSchema>;

/** What the service needs beyond the knobs: where to listen and where its dependencies are. */
export const serviceRuntimeSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  /**
   * Where the user store is: http://… the simulated database (or the fault proxy in front of it),
   * postgres://… a PostgreSQL database, whose schema is created and seeded on start.
   */
  dbUrl: z.url(),
  /** PostgreSQL store: users 1..n seeded on first start (default 100000, as the simulated database). */
  dbUsers: z.number().int().min(1).max(10_000_000).default(100_000),
  /** Base URL of the recommendations API; without it every profile is degraded. */
  recsUrl: z.url().optional(),
  /** Seed of the service's random draws (retry jitter) (default 1). */
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  knobs: serviceKnobsSchema,
});

export type ServiceRuntimeInput = z.input<typeof serviceRuntimeSchema>;
export type ServiceConfig = z.output<typeof serviceRuntimeSchema>;

/** Name of the environment variable through which a parent hands the service its config as JSON. */
export const serviceConfigEnv = 'LOADLAB_SERVICE_CONFIG';
