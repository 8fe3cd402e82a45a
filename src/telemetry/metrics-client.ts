/**
 * The one connection over which a target's /metrics is read, reaching the target as the load
 * does: the same TLS settings (trusted authorities, client certificate, server name, or no
 * verification), the same headers and Host, and the same protocol (HTTP/2 over TLS is offered
 * by ALPN; h2c is spoken by prior knowledge).
 */
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'undici';

/** How /metrics is reached; every field is optional (plain HTTP/1.1, no extra headers). */
export interface MetricsReach {
  /** The load's protocol: "h2" offers HTTP/2 by ALPN (HTTP/1.1 too), "h2c" speaks it in cleartext. */
  protocol?: 'h1' | 'h2' | 'h2c';
  /** Node TLS options for an https:// target (ALPN aside). */
  tls?: ConnectionOptions;
  /** Sent with every read; a `host` header names the Host (HTTP/2: `:authority`) and the TLS server name. */
  headers?: Record<string, string>;
}

/**
 * A keep-alive client of `url`'s origin reaching it as `reach` says; `timeoutMs` bounds its
 * connect, headers and body. The caller destroys it.
 */
export function createMetricsClient(url: string, reach: MetricsReach, timeoutMs: number): Client {
  return new Client(new URL(url).origin, {
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    ...(reach.protocol === 'h2' ? { allowH2: true } : {}),
    ...(reach.protocol === 'h2c' ? { allowH2: true, useH2c: true } : {}),
    ...(reach.tls === undefined ? {} : { connect: reach.tls }),
  });
}
