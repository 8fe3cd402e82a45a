/**
 * Requests as the engines send them: HTTP/1.1 text, or HTTP/2 header blocks, made once per
 * request (or once per run when the mix is static), and the check of each answer's status
 * against the request's `expectStatus`.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { statusErrorKind } from './error-kind.js';
import type { MixRequest, RequestMix } from './request-mix.js';

/** A request ready to write: its text, its position in `load.requests`, and whether it is a HEAD. */
export interface SerializedRequest {
  /** HTTP/1.1: the whole request; empty for HTTP/2. */
  text: string;
  index: number;
  head: boolean;
  /** HTTP/2: the header block (pseudo-headers included) and the body. */
  h2?: { headers: OutgoingHttpHeaders; body?: string };
}

/**
 * Serialises one request for `hostHeader` (e.g. "127.0.0.1:8080"), keep-alive, with a
 * Content-Length when it has a body; `extra` headers go on every request unless it sets the same
 * name itself.
 */
export function requestText(
  hostHeader: string,
  request: MixRequest,
  extra?: Readonly<Record<string, string>>,
): string {
  let text = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${hostHeader}\r\n`;
  if (extra !== undefined) {
    for (const name in extra) if (!hasHeader(request.headers, name)) text += `${name}: ${extra[name]}\r\n`;
  }
  for (const name in request.headers) text += `${name}: ${request.headers[name]}\r\n`;
  if (request.body !== undefined) {
    return `${text}content-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
  }
  const sendsLength = request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH';
  return `${text}${sendsLength ? 'content-length: 0\r\n' : ''}\r\n`;
}

/** The HTTP/2 header block of one request: `:authority` is `authority`, headers lower-cased. */
export function requestHeaders(
  authority: string,
  scheme: 'http' | 'https',
  request: MixRequest,
  extra?: Readonly<Record<string, string>>,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ':method': request.method,
    ':path': request.path,
    ':scheme': scheme,
    ':authority': authority,
  };
  if (extra !== undefined) for (const name in extra) headers[name.toLowerCase()] = extra[name];
  for (const name in request.headers) headers[name.toLowerCase()] = request.headers[name];
  // Connection-specific fields are not allowed in HTTP/2 (RFC 9113 §8.2.2).
  for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host'])
    delete headers[name];
  return headers;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  for (const n in headers) if (n.toLowerCase() === lower) return true;
  return false;
}

/** How requests are made: for HTTP/1.1 or HTTP/2, the Host they name, and headers added to all. */
export interface RequestShape {
  protocol: 'h1' | 'h2';
  /** Host header (HTTP/2: `:authority`). */
  host: string;
  /** HTTP/2 `:scheme`. */
  scheme?: 'http' | 'https';
  extraHeaders?: Readonly<Record<string, string>>;
}

/** The next request of `mix` ready to write; a static mix is serialised once and the same object returned every time. */
export function requestSource(mix: RequestMix, shape: string | RequestShape): () => SerializedRequest {
  const s: RequestShape = typeof shape === 'string' ? { protocol: 'h1', host: shape } : shape;
  // No extra headers: nothing more is done per request than before they existed.
  const extra =
    s.extraHeaders === undefined || Object.keys(s.extraHeaders).length === 0 ? undefined : s.extraHeaders;
  const serialize =
    s.protocol === 'h1'
      ? (): SerializedRequest => {
          const request = mix.next();
          return {
            text: requestText(s.host, request, extra),
            index: request.index,
            head: request.method === 'HEAD',
          };
        }
      : (): SerializedRequest => {
          const request = mix.next();
          const headers = requestHeaders(s.host, s.scheme ?? 'https', request, extra);
          return {
            text: '',
            index: request.index,
            head: request.method === 'HEAD',
            h2: request.body === undefined ? { headers } : { headers, body: request.body },
          };
        };
  if (!mix.isStatic) return serialize;
  const once = serialize();
  return () => once;
}

/**
 * The error kind of an answer's status, or undefined when it counts as a success: with
 * `expectStatus` only the listed codes succeed and any other is an error of its class ("2xx",
 * "4xx", ...); without it, 4xx and 5xx are errors.
 */
export function statusCheck(
  requests: readonly { expectStatus?: readonly number[] | undefined }[],
): (index: number, status: number) => string | undefined {
  const expected = requests.map((r) => (r.expectStatus === undefined ? undefined : new Set(r.expectStatus)));
  return (index, status) => {
    const set = expected[index];
    if (set === undefined) return statusErrorKind(status);
    return set.has(status) ? undefined : `${Math.floor(status / 100)}xx`;
  };
}
