/**
 * The proxy's admin API over HTTP, compatible with Toxiproxy's (api.go): the same routes, JSON
 * shapes, status codes and error bodies, so Toxiproxy clients and scripts work unchanged. It binds
 * to loopback only and, like Toxiproxy, refuses browsers (any `Origin` header, or a `Mozilla/`
 * user agent) so a web page cannot reconfigure it. HTTP faults are an extension: they are added
 * as toxics of type `http_status`, `http_delay` or `http_cut` (see http/http-fault-kinds.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiErrors, ProxyApiError } from './api-error.js';
import { parseProxyInput, type ProxyCollection } from './proxy-collection.js';
import type { Proxy } from './proxy.js';

/** Where and what the admin API serves. */
export interface AdminApiOptions {
  proxies: ProxyCollection;
  /** A loopback address. Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. Toxiproxy's usual port is 8474. */
  port?: number;
  /** What `GET /version` reports. */
  version?: string;
}

/** A running admin API. */
export interface AdminApi {
  /** e.g. `http://127.0.0.1:8474` */
  readonly url: string;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

type Reply = { status: number; body?: unknown };

/** Starts the admin API and resolves once it listens. */
export async function startAdminApi(options: AdminApiOptions): Promise<AdminApi> {
  const host = options.host ?? '127.0.0.1';
  if (!loopbackHosts.has(host) && !host.startsWith('127.')) {
    throw new ProxyApiError(`admin API: host must be a loopback address, got ${JSON.stringify(host)}`, 400);
  }
  const route = router(options.proxies, options.version ?? 'loadlab');
  const server = createServer((req, res) => {
    void handle(req, res, route);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  route: (method: string, parts: string[], body: () => Promise<unknown>) => Promise<Reply>,
): Promise<void> {
  if (req.headers.origin !== undefined || (req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    req.resume();
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('User agent not allowed\n');
    return;
  }
  let reply: Reply;
  try {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodePart);
    reply = await route(req.method ?? 'GET', parts, () => readJson(req));
  } catch (err) {
    const apiErr = err instanceof ProxyApiError ? err : new ProxyApiError(String(err), 500);
    reply = { status: apiErr.status, body: apiErr.toJSON() };
  }
  req.resume();
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  }
}

function router(proxies: ProxyCollection, version: string) {
  return async (method: string, parts: string[], body: () => Promise<unknown>): Promise<Reply> => {
    const update = method === 'POST' || method === 'PATCH';
    const [first, name, third, toxicName, ...rest] = parts;
    if (rest.length > 0) return notFound();
    if (first === 'version' && name === undefined) {
      return method === 'GET' ? { status: 200, body: { version } } : notAllowed();
    }
    if (first === 'reset' && name === undefined) {
      if (method !== 'POST') return notAllowed();
      await proxies.reset();
      return { status: 204 };
    }
    if (first === 'populate' && name === undefined) {
      if (method !== 'POST') return notAllowed();
      const created = await proxies.populate(await body());
      return { status: 201, body: { proxies: created.map((p) => p.toJSON()) } };
    }
    if (first !== 'proxies') return notFound();
    if (name === undefined) {
      if (method === 'GET') {
        return { status: 200, body: Object.fromEntries(proxies.list().map((p) => [p.name, p.toJSON()])) };
      }
      if (method !== 'POST') return notAllowed();
      const proxy = await proxies.add(parseProxyInput(await body()));
      return { status: 201, body: proxy.toJSON() };
    }
    if (third === undefined) {
      if (method === 'GET') return { status: 200, body: proxies.get(name).toJSON() };
      if (method === 'DELETE') {
        await proxies.remove(name);
        return { status: 204 };
      }
      if (!update) return notAllowed();
      return { status: 200, body: await updateProxy(proxies.get(name), await body()) };
    }
    if (third !== 'toxics') return notFound();
    const proxy = proxies.get(name);
    if (toxicName === undefined) {
      if (method === 'GET') return { status: 200, body: proxy.toxics() };
      // Toxiproxy answers a created toxic with 200, not 201; clients expect that.
      if (method === 'POST') return { status: 200, body: proxy.addToxic(await body()) };
      return notAllowed();
    }
    if (method === 'GET') {
      const toxic = proxy.toxic(toxicName);
      if (toxic === undefined) throw apiErrors.toxicNotFound();
      return { status: 200, body: toxic };
    }
    if (method === 'DELETE') {
      proxy.removeToxic(toxicName);
      return { status: 204 };
    }
    if (!update) return notAllowed();
    return { status: 200, body: proxy.updateToxic(toxicName, await body()) };
  };
}

async function updateProxy(proxy: Proxy, input: unknown): Promise<unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw apiErrors.badRequestBody('expected a JSON object');
  }
  const raw = input as Record<string, unknown>;
  for (const field of ['listen', 'upstream'] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== 'string') {
      throw apiErrors.badRequestBody(`${field}: expected "host:port"`);
    }
  }
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') {
    throw apiErrors.badRequestBody('enabled: expected true or false');
  }
  await proxy.update({
    ...(typeof raw.listen === 'string' && raw.listen !== '' ? { listen: raw.listen } : {}),
    ...(typeof raw.upstream === 'string' && raw.upstream !== '' ? { upstream: raw.upstream } : {}),
    ...(typeof raw.enabled === 'boolean' ? { enabled: raw.enabled } : {}),
  });
  return proxy.toJSON();
}

/** One path segment, percent-decoded; a malformed escape (`%E0%A4%A`) is the client's error, 400. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ProxyApiError(
      `bad request: malformed percent-escape in path segment ${JSON.stringify(part)}`,
      400,
    );
  }
}

function notFound(): Reply {
  return { status: 404, body: { error: 'not found', status: 404 } };
}

function notAllowed(): Reply {
  return { status: 405, body: { error: 'method not allowed', status: 405 } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw apiErrors.badRequestBody(`body larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text === '' ? '{}' : text) as unknown;
  } catch (err) {
    throw apiErrors.badRequestBody(err instanceof Error ? err.message : String(err));
  }
}
