/**
 * The embedded PostgreSQL child process's config: JSON in the `LOADLAB_POSTGRES_CONFIG`
 * environment variable, written by the lab and read by postgres-main.ts.
 */
import { z } from 'zod';

/** Name of the environment variable carrying the config. */
export const postgresConfigEnv = 'LOADLAB_POSTGRES_CONFIG';

/** What the lab tells the embedded cluster's process. */
export const postgresChildConfigSchema = z.strictObject({
  /** Port to listen on; 0 (the default) picks a free one. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Longest wait for initdb and then for the server, in ms (default 30000). */
  startTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
});

export type PostgresChildConfig = z.output<typeof postgresChildConfigSchema>;

/** Parses the config text (empty means all defaults), or lists every problem as `<field>: <what>`. */
export function parsePostgresChildConfig(
  text: string | undefined,
): PostgresChildConfig | { problems: string[] } {
  let raw: unknown = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { problems: [`config: expected JSON (${(error as Error).message})`] };
    }
  }
  const parsed = postgresChildConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return {
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`),
  };
}
