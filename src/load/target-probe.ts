/**
 * Before load is sent to a target the lab does not run: one connection and one request, made by
 * the engines' own transport, so a target that cannot be reached fails the run at once with the
 * step that failed (DNS, connect, TLS: expired, wrong host, untrusted, ALPN) and its error kind.
 * It also settles `auto`: ALPN over TLS picks HTTP/2 when the target offers it, HTTP/1.1 otherwise
 * (and always over plain http://, where nothing is negotiated).
 *
 *   auto + https ─▶ TLS handshake offering h2, http/1.1 ─▶ protocol
 *   protocol ─▶ connect ─▶ GET <the URL's path> ─▶ any status: reachable
 *                  └─ failure: TARGET_UNREACHABLE "<step> (<kind>): <detail>"
 */
import { connect as tlsConnect } from 'node:tls';
import { loadlabError } from '../shared/index.js';
import { ConnectionStats } from './connection-stats.js';
import { errorKindStep, transportErrorKind, type TransportErrorKind } from './error-kind.js';
import { requestHeaders, requestText, type SerializedRequest } from './request-text.js';
import {
  connectionTarget,
  createConnector,
  hostHeaderOf,
  tlsOptions,
  type AskedProtocol,
  type TransportSpec,
  type WireProtocol,
} from './transport.js';

/** A transport as asked for: its protocol may still be `auto`. */
export type AskedTransport = Omit<TransportSpec, 'protocol'> & { protocol: AskedProtocol };

/** What the probe learnt: the transport to use, and the status the target answered. */
export interface ProbeOutcome {
  transport: TransportSpec;
  status: number;
}

class ProbeFailure extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    readonly detail: string | undefined,
  ) {
    super(detail ?? kind);
  }
}

/** Probes the target within `timeoutMs`; rejects with TARGET_UNREACHABLE naming the failed step and its kind. */
export async function probeTarget(asked: AskedTransport, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const protocol = await resolveProtocol(asked, timeoutMs);
    const transport: TransportSpec = { ...asked, protocol };
    const status = await oneRequest(transport, timeoutMs);
    return { transport, status };
  } catch (error) {
    if (!(error instanceof ProbeFailure)) throw error;
    const detail = error.detail === undefined ? '' : `: ${error.detail}`;
    throw loadlabError(
      'TARGET_UNREACHABLE',
      `the target ${asked.url} failed at ${errorKindStep[error.kind]} (error kind "${error.kind}")${detail}`,
      { cause: error },
    );
  }
}

/** `auto` settled by ALPN (https) or as HTTP/1.1 (http); any other protocol as asked. */
async function resolveProtocol(asked: AskedTransport, timeoutMs: number): Promise<WireProtocol> {
  if (asked.protocol !== 'auto') return asked.protocol;
  const url = new URL(asked.url);
  if (url.protocol !== 'https:') return 'h1';
  const spec: TransportSpec = { ...asked, protocol: 'h1' };
  return await new Promise<WireProtocol>((resolve, reject) => {
    const socket = tlsConnect({ ...tlsOptions(spec, ['h2', 'http/1.1']), ...connectionTarget(url) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeFailure('timeout', `no TLS handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chose = socket.alpnProtocol;
      socket.destroy();
      resolve(chose === 'h2' ? 'h2' : 'h1');
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new ProbeFailure(transportErrorKind(error), error.message));
    });
  });
}

/** One GET of the URL's path over `transport`: its status, or a ProbeFailure. */
async function oneRequest(transport: TransportSpec, timeoutMs: number): Promise<number> {
  const connector = createConnector(transport, new ConnectionStats());
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.close();
        reject(new ProbeFailure('timeout', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const connection = connector.connect<number>({
        onResponse: (c, _tag, status) => {
          clearTimeout(timer);
          c.close();
          resolve(status);
        },
        onFailure: (_c, _tags, kind, detail) => {
          clearTimeout(timer);
          reject(new ProbeFailure(kind, detail));
        },
      });
      connection.write(probeRequest(transport), 0, 0);
    });
  } finally {
    connector.close();
  }
}

function probeRequest(transport: TransportSpec): SerializedRequest {
  const url = new URL(transport.url);
  const request = { index: 0, method: 'GET', path: `${url.pathname}${url.search}`, headers: {} };
  const host = hostHeaderOf(transport);
  const extra = transport.headers;
  if (transport.protocol === 'h1') {
    return { text: requestText(host, request, extra), index: 0, head: false };
  }
  const scheme = transport.protocol === 'h2' ? 'https' : 'http';
  return { text: '', index: 0, head: false, h2: { headers: requestHeaders(host, scheme, request, extra) } };
}
