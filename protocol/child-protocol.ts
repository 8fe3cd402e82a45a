/**
 * How a child process of a run (the simulated database, the reference service) talks to the
 * parent that started it: its config arrives as JSON in an environment variable, and once it
 * listens it sends one IPC message with its URL. A child whose parent goes away (the IPC
 * channel disconnects) shuts itself down, so a killed orchestrator leaves no orphan behind.
 */
import type { z } from 'zod';

/** The one message a child sends its parent once it accepts connections. */
export interface ReadyMessage {
  type: 'ready';
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
}

export function isReadyMessage(value: unknown): value is ReadyMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'ready' &&
    typeof (value as { url?: unknown }).url === 'string'
  );
}

/** Environment variable: "off" stops the reference service's once-a-second telemetry to its parent. */
export const telemetryEnv = 'LOADLAB_TELEMETRY';

/** Environment variable carrying the simulated database's config (JSON). */
export const dbConfigEnv = 'LOADLAB_DB_CONFIG';

/**
 * Parses a child's config text against `schema`, or lists every problem as
 * `<field>: <what is wrong>`, e.g. `spec.capacity: Too small: expected number to be >=1`
 * (array indexes as `[i]`, the whole config as `config`).
 */
export function parseChildConfig<S extends z.ZodType>(
  schema: S,
  text: string | undefined,
): z.output<S> | { problems: string[] } {
  if (text === undefined || text.trim() === '') return { problems: ['config: expected JSON, got nothing'] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { problems: [`config: expected JSON (${(error as Error).message})`] };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path
        .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
        .join('');
      return `${path === '' ? 'config' : path}: ${issue.message}`;
    }),
  };
}
