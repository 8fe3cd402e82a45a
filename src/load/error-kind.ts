/**
 * Sorts a failed request into the kinds the result document counts: "timeout", "reset",
 * "refused", "framing" (the target answered bytes that are not a well-framed HTTP/1.x response:
 * not HTTP at all, a head that never ends within 64 KiB, a malformed length or chunk) or "other";
 * and a response status into "4xx"/"5xx" when it is an error.
 */
export type TransportErrorKind = 'timeout' | 'reset' | 'refused' | 'framing' | 'other';

/** Every transport error kind: requests that ended without a response. */
export const transportErrorKinds: readonly TransportErrorKind[] = [
  'timeout',
  'reset',
  'refused',
  'framing',
  'other',
];

const byCode: Record<string, TransportErrorKind> = {
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
};

/**
 * The kind of a socket error, from its Node `code`. The engine's own request timeout is counted
 * as "timeout" where it fires (http-connection.ts), not here.
 */
export function transportErrorKind(error: unknown): TransportErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in byCode) return byCode[code] as TransportErrorKind;
  return 'other';
}

/** "4xx" or "5xx" for an error status, undefined for a success (1xx–3xx). */
export function statusErrorKind(status: number): '4xx' | '5xx' | undefined {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return undefined;
}
