/**
 * The simulated database as a scenario describes it (`dependencies.db`): how many requests it
 * serves at once, how long each takes, how often it fails.
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

/** The simulated database's settings. */
export const dbSimSpecSchema = z
  .strictObject({
    /** Requests served at once; the rest wait in its queue, first come first served (default 8). */
    capacity: z.number().int().min(1).max(100_000).default(8),
    /** Time to serve one request once it has a slot (default lognormal p50 2 ms, p99 15 ms). */
    latency: latencySpecSchema.default({ dist: 'lognormal', p50Ms: 2, p99Ms: 15 }),
    /** Share of requests answered with a 500 (default 0). */
    errorRatio: z.number().min(0).max(1).default(0),
    /** Users in the seeded data set, ids 1..users (default 100000). */
    users: z.number().int().min(1).max(10_000_000).default(100_000),
  })
  .prefault({});

export type DbSimSpecInput = z.input<typeof dbSimSpecSchema>;
export type DbSimSpec = z.output<typeof dbSimSpecSchema>;
