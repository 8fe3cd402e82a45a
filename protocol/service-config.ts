/**
 * The reference service's knobs: every one has a default, a range, and a line of documentation.
 * The same schema validates the scenario's `service:` section and `loadlab serve --set`.
 */
import { z } from 'zod';

const ms = (def: number, max = 600_000) => z.number().int().min(0).max(max).default(def);

/** The recommendations client: pool, per-call timeout, retry, breaker, fallback. */
const recommendationsKnobsSchema = z
  .strictObject({
    /** Connections to the recommendations API (default 16). */
    connections: z.number().int().min(1).max(1024).default(16),
    /** Deadline of one call, within the request's own deadline (default 150 ms). */
    timeoutMs: z.number().int().min(1).max(600_000).default(150),
    retry: z
      .strictObject({
        /** Attempts in all, the first included; 1 = no retry (default 2). */
        attempts: z.number().int().min(1).max(10).default(2),
        /** Backoff before retry n is backoffMs x 2^(n-1) (default 20 ms). */
        backoffMs: ms(20),
        /** full: each backoff drawn uniformly from 0 to the exponential value; none: exact (default full). */
        jitter: z.enum(['full', 'none']).default('full'),
        /** Retries allowed as a share of calls over the last 10 s, plus 10 per 10 s (default 0.1). */
        budgetRatio: z.number().min(0).max(10).default(0.1),
      })
      .prefault({}),
    breaker: z
      .strictObject({
        /** The breaker opens when this share of calls over the last windowMs failed (default 0.5). */
        failureRatio: z.number().gt(0).max(1).default(0.5),
        /** ... and at least this many calls were made in that window (default 20). */
        minRequests: z.number().int().min(1).max(1_000_000).default(20),
        /** Once open, one trial call is let through after this (default 2000 ms). */
        halfOpenAfterMs: z.number().int().min(1).max(600_000).default(2000),
        /** The window the failure ratio and minRequests are counted over (default 10000 ms). */
        windowMs: z.number().int().min(100).max(600_000).default(10_000),
      })
      .prefault({}),
    /** On failure answer 200 with `degraded: true` and no recommendations; false: answer the error (default true). */
    fallback: z.boolean().default(true),
  })
  .prefault({});

/** Knobs a user tunes. All durations in milliseconds. */
export const serviceKnobsSchema = z
  .strictObject({
    db: z
      .strictObject({
        pool: z
          .strictObject({
            /** Connections to the user store (default 10). */
            max: z.number().int().min(1).max(1024).default(10),
            /** Requests allowed to wait for a connection; past it, 503 at once (default 1000). */
            queueMax: z.number().int().min(0).max(1_000_000).default(1000),
            /** Longest wait for a connection before 503 (default 1000 ms). */
            acquireTimeoutMs: ms(1000),
          })
          .prefault({}),
        /** Deadline of one store call, within the request's own deadline (default 1000 ms). */
        queryTimeoutMs: ms(1000),
        /** Knobs only the PostgreSQL store has (`dependencies.db.kind: postgres`). */
        postgres: z
          .strictObject({
            /** An idle connection is closed after this; 0 keeps it open (default 10000 ms). */
            idleTimeoutMs: ms(10_000),
            /** Longest wait to open one connection before 503; never 0, pg's "wait forever" (default 1000 ms). */
            connectionTimeoutMs: z.number().int().min(1).max(600_000).default(1000),
            /** Server-side `statement_timeout` of every statement (default: db.queryTimeoutMs). */
            statementTimeoutMs: z.number().int().min(1).max(600_000).optional(),
          })
          .prefault({}),
      })
      .prefault({}),
    cache: z
      .strictObject({
        /** Cache-aside in front of the store (default true). */
        enabled: z.boolean().default(true),
        /** Entries kept, least recently used evicted (default 10000). */
        maxEntries: z.number().int().min(1).max(10_000_000).default(10_000),
        /** Time an entry is served before it is read again (default 5000 ms). */
        ttlMs: ms(5000, 86_400_000),
        /** Concurrent misses for one key share one store read (default true). */
        singleflight: z.boolean().default(true),
        /**
         * After ttlMs, an entry is still served for this long while one background read refreshes
         * it (stale-while-revalidate); 0 = off (default 0 ms).
         */
        staleWhileRevalidateMs: ms(0, 86_400_000),
        /** How long a not-found answer is cached; 0 = not cached (default 0 ms). */
        negativeTtlMs: ms(0, 86_400_000),
      })
      .prefault({}),
    recommendations: recommendationsKnobsSchema,
    server: z
      .strictObject({
        /** Deadline of a whole request, flowing down to the store (default 2000 ms). */
        requestTimeoutMs: z.number().int().min(1).max(600_000).default(2000),
        /** Longest graceful drain on SIGTERM before the service exits anyway (default 5000 ms). */
        drainTimeoutMs: ms(5000),
        /** Idle keep-alive sockets are closed after this (default 5000 ms). */
        keepAliveTimeoutMs: ms(5000),
        /** Largest accepted request body; larger gets 413 (default 16384 bytes). */
        bodyLimitBytes: z.number().int().min(64).max(100_000_000).default(16_384),
        /** Requests on user routes handled at once; past it they queue (default 1024). */
        maxInFlight: z.number().int().min(1).max(1_000_000).default(1024),
        /** Requests that may wait for an in-flight slot; past it, 503 at once (default 0: none wait). */
        queueMax: z.number().int().min(0).max(1_000_000).default(0),
        /** Longest wait in that queue before 503 (default 100 ms). */
        queueTimeoutMs: ms(100),
        /** A client must send its headers within this, or gets 408 (default 10000 ms). */
        headersTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
        /** A client must send its whole request within this, or gets 408; 0 = no limit (default 30000 ms). */
        receiveTimeoutMs: ms(30_000),
        /** How often Node checks the two timeouts above: they bite up to this late (default 1000 ms). */
        connectionsCheckingIntervalMs: z.number().int().min(10).max(600_000).default(1000),
        shed: z
          .strictObject({
            /** Shed (503) while the event-loop delay is over this; 0 = off (default 0 ms). */
            maxEventLoopDelayMs: ms(0),
            /** Shed (503) while the V8 heap in use is over this; 0 = off (default 0 bytes). */
            maxHeapUsedBytes: z.number().int().min(0).default(0),
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
        /** pino level of the service's own log, written to stdout (default "warn"). */
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
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
