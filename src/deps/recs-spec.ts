/**
 * The simulated recommendations API as a scenario describes it (`dependencies.recommendations`),
 * and the config its child process reads (JSON in `LOADLAB_RECS_CONFIG`).
 */
import { z } from 'zod';
import { parseChildConfig } from '../../protocol/index.js';
import { latencySpecSchema } from './db-spec.js';

/** The simulated recommendations API's settings. */
export const recsSimSpecSchema = z
  .strictObject({
    /** Requests served at once; the rest wait in its queue, first come first served (default 64). */
    capacity: z.number().int().min(1).max(100_000).default(64),
    /** Time to serve one request once it has a slot (default normal, mean 20 ms, sd 5 ms). */
    latency: latencySpecSchema.default({ dist: 'normal', meanMs: 20, sdMs: 5 }),
    /** Share of requests answered with a 500 (default 0). */
    errorRatio: z.number().min(0).max(1).default(0),
    /** Never answer: every request is read and left hanging (default false). */
    hang: z.boolean().default(false),
  })
  .prefault({});

export type RecsSimSpecInput = z.input<typeof recsSimSpecSchema>;
export type RecsSimSpec = z.output<typeof recsSimSpecSchema>;

/** Environment variable carrying the recommendations simulator's child config (JSON). */
export const recsConfigEnv = 'LOADLAB_RECS_CONFIG';

/** The config a parent passes to the recommendations simulator's process. */
export const recsChildConfigSchema = z.strictObject({
  spec: recsSimSpecSchema,
  /** Seed of every draw (default 1). */
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 (the default) picks a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
});

export type RecsChildConfigInput = z.input<typeof recsChildConfigSchema>;
export type RecsChildConfig = z.output<typeof recsChildConfigSchema>;

/** Parses the child config text, or lists every problem as `<field>: <what is wrong>`. */
export function parseRecsChildConfig(text: string | undefined): RecsChildConfig | { problems: string[] } {
  return parseChildConfig(recsChildConfigSchema, text);
}
