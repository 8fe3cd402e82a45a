/**
 * Sorts a failed request into the kinds the result document counts, each naming the step that
 * failed: "dns" (the host name did not resolve), "connect" (no route, no address; "refused" when
 * the target refused the connection), "tls-expired", "tls-hostname", "tls-untrusted" (the
 * certificate is out of date, names another host, or chains to no trusted authority), "tls-alpn"
 * (the target would not speak the protocol asked for), "tls" (another TLS failure), "timeout",
 * "reset", "h2-reset" (the target reset the HTTP/2 stream: RST_STREAM), "h2-goaway" (the target
 * closed the HTTP/2 connection with GOAWAY before answering), "framing" (the target answered bytes
 * that are not a well-framed HTTP/1.x response: not HTTP at all, a head that never ends within
 * 64 KiB, a malformed length or chunk) or "other"; and a response status into "4xx"/"5xx" when it
 * is an error.
 */
export type TransportErrorKind =
  | 'timeout'
  | 'reset'
  | 'refused'
  | 'framing'
  | 'dns'
  | 'connect'
  | 'tls-expired'
  | 'tls-hostname'
  | 'tls-untrusted'
  | 'tls-alpn'
  | 'tls'
  | 'h2-reset'
  | 'h2-goaway'
  | 'other';

/** Every transport error kind: requests that ended without a response. */
export const transportErrorKinds: readonly TransportErrorKind[] = [
  'timeout',
  'reset',
  'refused',
  'framing',
  'dns',
  'connect',
  'tls-expired',
  'tls-hostname',
  'tls-untrusted',
  'tls-alpn',
  'tls',
  'h2-reset',
  'h2-goaway',
  'other',
];

const byCode: Record<string, TransportErrorKind> = {
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  EHOSTDOWN: 'connect',
  EADDRNOTAVAIL: 'connect',
  CERT_HAS_EXPIRED: 'tls-expired',
  CERT_NOT_YET_VALID: 'tls-expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-hostname',
  HOSTNAME_MISMATCH: 'tls-hostname',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-untrusted',
  CERT_UNTRUSTED: 'tls-untrusted',
  CERT_SIGNATURE_FAILURE: 'tls-untrusted',
  CERT_REJECTED: 'tls-untrusted',
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'tls-alpn',
  ERR_HTTP2_STREAM_ERROR: 'h2-reset',
  ERR_HTTP2_GOAWAY_SESSION: 'h2-goaway',
  ERR_HTTP2_SESSION_ERROR: 'h2-goaway',
};

/**
 * The kind of a socket, TLS or HTTP/2 error, from its Node `code`. The engine's own request
 * timeout is counted as "timeout" where it fires (http-connection.ts), not here.
 */
export function transportErrorKind(error: unknown): TransportErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  if (code in byCode) return byCode[code] as TransportErrorKind;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'tls';
  return 'other';
}

/** The step each transport error kind names, in words, for messages. */
export const errorKindStep: Record<TransportErrorKind, string> = {
  timeout: 'no answer within the timeout',
  reset: 'the connection was closed or reset',
  refused: 'connect: the target refused the connection',
  framing: 'the answer was not a well-framed HTTP/1.x response',
  dns: 'DNS: the host name did not resolve',
  connect: 'connect: the host could not be reached',
  'tls-expired': 'TLS: the certificate has expired (or is not yet valid)',
  'tls-hostname': 'TLS: the certificate does not name this host',
  'tls-untrusted': 'TLS: the certificate chains to no trusted authority',
  'tls-alpn': 'TLS: the target refused the protocol asked for in ALPN',
  tls: 'TLS: the handshake failed',
  'h2-reset': 'HTTP/2: the target reset the stream (RST_STREAM)',
  'h2-goaway': 'HTTP/2: the target closed the connection (GOAWAY) before answering',
  other: 'the request failed',
};

/** "4xx" or "5xx" for an error status, undefined for a success (1xx–3xx). */
export function statusErrorKind(status: number): '4xx' | '5xx' | undefined {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return undefined;
}
