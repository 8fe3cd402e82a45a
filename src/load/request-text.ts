/**
 * Requests as the raw-socket engines send them: HTTP/1.1 text, serialised once per request (or
 * once per run when the mix is static), and the check of each answer's status against the
 * request's `expectStatus`.
 */
import { statusErrorKind } from './error-kind.js';
import type { MixRequest, RequestMix } from './request-mix.js';

/** A request ready to write: its text, its position in `load.requests`, and whether it is a HEAD. */
export interface SerializedRequest {
  text: string;
  index: number;
  head: boolean;
}

/** Serialises one request for `hostHeader` (e.g. "127.0.0.1:8080"), keep-alive, with a Content-Length when it has a body. */
export function requestText(hostHeader: string, request: MixRequest): string {
  let text = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${hostHeader}\r\n`;
  for (const name in request.headers) text += `${name}: ${request.headers[name]}\r\n`;
  if (request.body !== undefined) {
    return `${text}content-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
  }
  const sendsLength = request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH';
  return `${text}${sendsLength ? 'content-length: 0\r\n' : ''}\r\n`;
}

/** The next request of `mix` as text; a static mix is serialised once and the same object returned every time. */
export function requestSource(mix: RequestMix, hostHeader: string): () => SerializedRequest {
  const serialize = (): SerializedRequest => {
    const request = mix.next();
    return { text: requestText(hostHeader, request), index: request.index, head: request.method === 'HEAD' };
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
