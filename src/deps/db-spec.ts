/**
 * The database as a scenario describes it (`dependencies.db`): by default the simulated one (how
 * many requests it serves at once, how long each takes, how often it fails), or, with
 * `kind: postgres`, a real PostgreSQL: a database you run (`url`) or a throw-away cluster the lab
 * starts (`embedded: true`).
 */
import { z } from 'zod';

const positiveMs = z.number().min(0).max(600_000);

/** A latency distribution, in milliseconds. */
export const latencySpecSchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), ms: positiveMs }),
  z
    .strictObject({ dist: z.literal('uniform'), minMs: positiveMs, maxMs: positiveMs })
    .refine((v) => v.maxMs >= v.minMs, { message: 'maxMs must be at least minMs', path: ['maxMs'] }),
  z.strictObject({ dist: z.literal('normal'), meanMs: positiveMs, sdMs: positiveMs }),
  z
    .strictObject({ dist: z.literal('lognormal'), p50Ms: positiveMs.gt(0), p99Ms: positiveMs.gt(0) })
    .refine((v) => v.p99Ms >= v.p50Ms, { message: 'p99Ms must be at least p50Ms', path: ['p99Ms'] }),
  z.strictObject({ dist: z.literal('exponential'), meanMs: positiveMs.gt(0) }),
]);

export type LatencySpec = z.output<typeof latencySpecSchema>;

/**
 * How the simulated database slows down when more queries are open in it than it has slots, after
 * Gunther's Universal Scalability Law: each query beyond `capacity` stretches the service time of
 * every query that starts by `sigma` (contention), and their square by `kappa` (coherency); see
 * db-contention.ts for the formula. Both default to 0: no slowdown.
 */
export const contentionSpecSchema = z.strictObject({
  /** Contention σ: the stretch each query open beyond capacity adds, e.g. 0.01 = 1% (default 0). */
  sigma: z.number().min(0).max(1).default(0),
  /** Coherency κ: the stretch added per square of the queries open beyond capacity (default 0). */
  kappa: z.number().min(0).max(1).default(0),
});

export type ContentionSpec = z.output<typeof contentionSpecSchema>;

/** The simulated database's settings. */
export const dbSimSpecSchema = z
  .strictObject({
    /** The simulated database (the default when `kind` is left out). */
    kind: z.literal('simulated').optional(),
    /** Requests served at once; the rest wait in its queue, first come first served (default 8). */
    capacity: z.number().int().min(1).max(100_000).default(8),
    /** Time to serve one request once it has a slot (default lognormal p50 2 ms, p99 15 ms). */
    latency: latencySpecSchema.default({ dist: 'lognormal', p50Ms: 2, p99Ms: 15 }),
    /** Share of requests answered with a 500 (default 0). */
    errorRatio: z.number().min(0).max(1).default(0),
    /** Slowdown past capacity (USL σ, κ); left out, queries queue at no cost (the default). */
    contention: contentionSpecSchema.optional(),
    /** Users in the seeded data set, ids 1..users (default 100000). */
    users: z.number().int().min(1).max(10_000_000).default(100_000),
  })
  .prefault({});

export type DbSimSpecInput = z.input<typeof dbSimSpecSchema>;
export type DbSimSpec = z.output<typeof dbSimSpecSchema>;

/** Users seeded by default, in either kind of database. */
export const defaultSeedUsers = 100_000;

/** A real PostgreSQL: `url` of one you run, or `embedded: true` for a throw-away cluster. */
export const postgresSpecSchema = z
  .strictObject({
    kind: z.literal('postgres'),
    /** postgres://user[:password]@host:port/database of a database you run; its `loadlab` schema is (re)used. */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^/]+/, {
        message: 'expected a URL such as postgres://user@127.0.0.1:5432/db',
      })
      .optional(),
    /** Starts a throw-away cluster with this machine's initdb/postgres, removed after the run. */
    embedded: z.boolean().optional(),
    /** Users in the seeded data set, ids 1..users (default 100000). */
    users: z.number().int().min(1).max(10_000_000).default(defaultSeedUsers),
  })
  .refine((v) => (v.url !== undefined) !== (v.embedded === true), {
    message: 'expected exactly one of url: postgres://... or embedded: true',
  });

/** `dependencies.db`: the simulated database (default) or PostgreSQL, told apart by `kind`. */
export const dbSpecSchema = z
  .discriminatedUnion('kind', [dbSimSpecSchema.unwrap(), postgresSpecSchema], {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'expected kind: simulated (the default) or kind: postgres' : undefined,
  })
  .prefault({});

export type PostgresSpec = z.output<typeof postgresSpecSchema>;
export type DbSpecInput = z.input<typeof dbSpecSchema>;
export type DbSpec = z.output<typeof dbSpecSchema>;
