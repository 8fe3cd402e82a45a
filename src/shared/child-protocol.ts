/**
 * How a child process of a run (the simulated database, the reference service) talks to the
 * parent that started it: its config arrives as JSON in an environment variable, and once it
 * listens it sends one IPC message with its URL. A child whose parent goes away (the IPC
 * channel disconnects) shuts itself down, so a killed orchestrator leaves no orphan behind.
 */

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
