/**
 * The simulated database's child-process config: JSON in the `LOADLAB_DB_CONFIG` environment
 * variable (`dbConfigEnv`), written by the lab and read by db-main.ts.
 */
import { z } from 'zod';
import { parseChildConfig } from '../../protocol/index.js';
import { dbSimSpecSchema } from './db-spec.js';

/** The config a parent passes to the simulated database's process. */
export const dbChildConfigSchema = z.strictObject({
  spec: dbSimSpecSchema,
  /** Seed of the data set and of every draw (default 1). */
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /** Interface to listen on (default 127.0.0.1). */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port to listen on; 0 (the default) picks a free one. */
  port: z.number().int().min(0).max(65_535).default(0),
});

export type DbChildConfigInput = z.input<typeof dbChildConfigSchema>;
export type DbChildConfig = z.output<typeof dbChildConfigSchema>;

/**
 * Parses the config text, or lists every problem as `<field>: <what is wrong>`, e.g.
 * `spec.capacity: Too small: expected number to be >=1`.
 */
export function parseDbChildConfig(text: string | undefined): DbChildConfig | { problems: string[] } {
  return parseChildConfig(dbChildConfigSchema, text);
}
