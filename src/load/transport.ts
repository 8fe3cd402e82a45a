/**
 * How a worker reaches the target: the protocol (HTTP/1.1, HTTP/2 over TLS by ALPN, HTTP/2 in
 * cleartext by prior knowledge), the TLS settings (SNI, trusted authorities, client certificate,
 * or no verification at all), the headers added to every request and the Host the requests name.
 * A pure description ({@link TransportSpec}) crosses into the worker; {@link createConnector}
 * turns it into a {@link Connector} there, once, so nothing of it is decided per request.
 */
import { readFileSync } from 'node:fs';
import { checkServerIdentity as tlsCheckServerIdentity, type ConnectionOptions } from 'node:tls';
import type { ConnectionStats } from './connection-stats.js';
import { H2Sessions } from './h2-sessions.js';
import { HttpConnection, type ConnectionTarget } from './http-connection.js';
import type { Connector } from './load-connection.js';

/** The protocol a scenario asks for (`load.protocol`); `auto` negotiates by ALPN over TLS. */
export type AskedProtocol = 'h1' | 'h2' | 'h2c' | 'auto';
/** The protocol a run speaks, once `auto` is resolved. */
export type WireProtocol = 'h1' | 'h2' | 'h2c';

/** TLS settings of an https target; files are read where the connections are made. */
export interface TlsSpec {
  /** PEM file of the authorities to trust instead of the system's. */
  caFile?: string;
  /** PEM file of the client certificate, with `keyFile`. */
  certFile?: string;
  keyFile?: string;
  /** Skip certificate verification altogether. */
  insecure?: boolean;
}

/** How to reach the target, as the lab hands it to the load workers. */
export interface TransportSpec {
  /** Base URL, http:// or https://. */
  url: string;
  protocol: WireProtocol;
  tls?: TlsSpec;
  /** Headers added to every request (a request's own header of the same name wins). */
  headers?: Record<string, string>;
  /** The Host header (HTTP/2: `:authority`) and TLS server name to use instead of the URL's. */
  host?: string;
  /** HTTP/2: connections this worker opens at most (default 1), and streams per connection at most (default: as the server allows). */
  h2?: { connections: number; maxConcurrentStreams?: number };
}

/** The host and port of `url` (brackets of an IPv6 literal removed; default port by scheme). */
export function connectionTarget(url: URL): ConnectionTarget {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** The Host header requests name: the override, or the URL's host (with its port when it has one). */
export function hostHeaderOf(spec: Pick<TransportSpec, 'url' | 'host'>): string {
  return spec.host ?? new URL(spec.url).host;
}

/**
 * Node TLS options for `spec` offering `alpn`: SNI from the Host override or the URL's host (never
 * an IP address, which SNI may not carry), the files read now.
 */
export function tlsOptions(spec: TransportSpec, alpn: string[]): ConnectionOptions {
  const url = new URL(spec.url);
  const servername = (spec.host ?? url.hostname).replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const tls = spec.tls ?? {};
  const isIp = /^[\d.]+$/.test(servername) || servername.includes(':');
  return {
    ...(isIp ? {} : { servername }),
    ...(tls.caFile === undefined ? {} : { ca: readFileSync(tls.caFile) }),
    ...(tls.certFile === undefined ? {} : { cert: readFileSync(tls.certFile) }),
    ...(tls.keyFile === undefined ? {} : { key: readFileSync(tls.keyFile) }),
    rejectUnauthorized: tls.insecure !== true,
    // Checked against the Host override when there is one, so a wrong name is "tls-hostname".
    ...(spec.host === undefined || isIp ? {} : { checkServerIdentity: checkIdentityAs(servername) }),
    ALPNProtocols: alpn,
  };
}

/** How a request beside the load (a read of the target's /metrics) reaches the target as the load does. */
export interface SideRequestReach {
  /** The protocol the load speaks; such a read speaks it too (HTTP/2 by ALPN over TLS, or h2c). */
  protocol: WireProtocol;
  /** Node TLS options of an https target: authorities, client certificate, server name, checks. */
  tls?: ConnectionOptions;
  /** The `--header` headers, and `host` when the Host is overridden. */
  headers?: Record<string, string>;
}

/** The TLS options, headers and protocol of `spec`, for a request beside the load. */
export function sideRequestReach(spec: TransportSpec): SideRequestReach {
  const headers = { ...spec.headers, ...(spec.host === undefined ? {} : { host: spec.host }) };
  let tls: ConnectionOptions | undefined;
  if (new URL(spec.url).protocol === 'https:') {
    // ALPN is the reader's own to offer; the rest is the load's.
    const { ALPNProtocols: _alpn, ...rest } = tlsOptions(spec, []);
    tls = rest;
  }
  return {
    protocol: spec.protocol,
    ...(tls === undefined ? {} : { tls }),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
  };
}

function checkIdentityAs(name: string): ConnectionOptions['checkServerIdentity'] {
  return (_host, cert) => tlsCheckServerIdentity(name, cert);
}

/**
 * The connector of one worker: new HTTP/1.1 connections (over TLS for https), or channels on at
 * most `h2.connections` shared HTTP/2 connections. `close()` ends whatever it still holds open.
 */
export function createConnector(
  spec: TransportSpec,
  stats: ConnectionStats,
): { connect: Connector; close: () => void } {
  const url = new URL(spec.url);
  const target = connectionTarget(url);
  if (spec.protocol === 'h1') {
    const tls = url.protocol === 'https:' ? tlsOptions(spec, ['http/1.1']) : undefined;
    const options = { stats, ...(tls === undefined ? {} : { tls }) };
    return { connect: (events) => new HttpConnection(target, events, options), close: () => {} };
  }
  const sessions = new H2Sessions({
    target,
    ...(spec.protocol === 'h2' ? { tls: tlsOptions(spec, ['h2']) } : {}),
    connections: spec.h2?.connections ?? 1,
    ...(spec.h2?.maxConcurrentStreams === undefined
      ? {}
      : { maxConcurrentStreams: spec.h2.maxConcurrentStreams }),
    stats,
  });
  return { connect: (events) => sessions.channel(events), close: () => sessions.close() };
}
