/**
 * The reference service's knobs: every one has a default, a range, and a line of documentation.
 * The same schema validates the scenario's `service:` section and `loadlab serve --set`.
 */
import { z } from 'zod';

const ms = (def: number, max = 600_000) => z.number().int().min(0).max(max).default(def);

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
      })
      .prefault({}),
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
  /** Base URL of the user store (the simulated database, or the fault proxy in front of it). */
  dbUrl: z.url(),
  knobs: serviceKnobsSchema,
});

export type ServiceRuntimeInput = z.input<typeof serviceRuntimeSchema>;
export type ServiceConfig = z.output<typeof serviceRuntimeSchema>;

/** Name of the environment variable through which a parent hands the service its config as JSON. */
export const serviceConfigEnv = 'LOADLAB_SERVICE_CONFIG';
