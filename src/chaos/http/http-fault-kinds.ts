/**
 * HTTP faults: loadlab's extension of Toxiproxy's toxics, decided per request rather than per
 * connection. They are added like toxics (`POST /proxies/{name}/toxics`); their `toxicity` is the
 * share of matching requests hit, and an optional `match: { method, path }` narrows which requests
 * are eligible. They act only on connections whose bytes are HTTP/1.x; on others they do nothing.
 *
 * | type          | attributes (defaults)               | effect on a request that is hit               |
 * |---------------|-------------------------------------|-----------------------------------------------|
 * | `http_status` | `status` (503), `retry_after` (0 s) | answered by the proxy; never reaches upstream |
 * | `http_delay`  | `delay` (0 ms)                      | held `delay` ms before it is sent upstream    |
 * | `http_cut`    | none                                | its response is cut after the head and half the body (FIN) |
 */

/** One HTTP fault kind: its type name and every attribute with its default. */
export interface HttpFaultKind {
  readonly type: string;
  readonly defaults: Readonly<Record<string, number>>;
}

/** Every HTTP fault kind, by type name. */
export const httpFaultKinds: ReadonlyMap<string, HttpFaultKind> = new Map(
  (
    [
      { type: 'http_status', defaults: { status: 503, retry_after: 0 } },
      { type: 'http_delay', defaults: { delay: 0 } },
      { type: 'http_cut', defaults: {} },
    ] as HttpFaultKind[]
  ).map((kind) => [kind.type, kind]),
);

/** Which requests an HTTP fault may hit: method (any case) and a path pattern. */
export interface HttpMatch {
  readonly method?: string;
  /** `*` matches within one path segment, `**` across segments; the query is ignored. */
  readonly path?: string;
}

/** A compiled {@link HttpMatch}. */
export type RequestMatcher = (method: string, path: string) => boolean;

/** Compiles `match` to a predicate; no match means every request. */
export function compileMatch(match: HttpMatch | undefined): RequestMatcher {
  if (match === undefined) return () => true;
  const method = match.method?.toUpperCase();
  const path = match.path === undefined ? undefined : globToRegExp(match.path);
  return (m, p) => (method === undefined || m === method) && (path === undefined || path.test(p));
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

/** The response the proxy answers an `http_status` hit with; no body for HEAD. */
export function syntheticResponse(status: number, retryAfterS: number, method: string): Buffer {
  // 204 and 304 never carry a body (RFC 9110 15.3.5, 15.4.5); one sent anyway would be read as the next response.
  const bodiless = status === 204 || status === 304;
  const body = bodiless
    ? ''
    : JSON.stringify({ error: `fault injected by the loadlab proxy: status ${status}` });
  const headers = [
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Injected Fault'}`,
    ...(bodiless ? [] : ['content-type: application/json', `content-length: ${Buffer.byteLength(body)}`]),
    'x-loadlab-fault: http_status',
    ...(retryAfterS > 0 ? [`retry-after: ${Math.round(retryAfterS)}`] : []),
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${method === 'HEAD' ? '' : body}`, 'latin1');
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
