import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy, startProxyServer, type Proxy } from '../../src/chaos/index.js';
import { Cleanup, connectTo, receiveAll, roundTrip, startEcho } from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** An HTTP server answering `<method> <path> <body length>` as text; HEAD gets headers only. */
async function startHttp(): Promise<{ server: Server; port: number }> {
  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () => {
      const body = `${req.method} ${req.url} ${size}`;
      if (req.url?.startsWith('/chunked')) {
        // No content-length: Node answers chunked, written in two pieces.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(body.slice(0, 3));
        setTimeout(() => res.end(body.slice(3)), 5);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

async function proxyTo(port: number, seed = 7): Promise<{ proxy: Proxy; port: number }> {
  const proxy = await createProxy({ name: 'api', upstream: `127.0.0.1:${port}`, seed });
  cleanup.add(() => proxy.close());
  return { proxy, port: Number(proxy.listen.split(':').pop()) };
}

function pool(port: number, connections = 4, pipelining = 1): Pool {
  const p = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining });
  cleanup.add(() => p.destroy());
  return p;
}

describe('HTTP faults, decided per request', () => {
  it('answer 503 to 30% of 10,000 keep-alive requests within ±1 point, the same requests for the same seed', async () => {
    const { port: httpPort } = await startHttp();
    const faulted = async (seed: number): Promise<{ port: number }> => {
      const { proxy, port } = await proxyTo(httpPort, seed);
      proxy.addToxic({ type: 'http_status', toxicity: 0.3, attributes: { status: 503 } });
      return { port };
    };
    const statuses = async (from: number, count: number, client: Pool): Promise<number[]> =>
      Promise.all(
        Array.from({ length: count }, async (_, k) => {
          const i = from + k;
          const res = await client.request({ method: 'GET', path: `/users/${i}` });
          const text = await res.body.text();
          if (res.statusCode === 200) expect(text).toBe(`GET /users/${i} 0`);
          return res.statusCode;
        }),
      );
    // 10,000 requests, 100 at a time over 4 keep-alive connections pipelining up to 10 each.
    const { port } = await faulted(11);
    const busy = pool(port, 4, 10);
    const all: number[] = [];
    for (let from = 0; from < 10_000; from += 100) all.push(...(await statuses(from, 100, busy)));
    expect(all.every((s) => s === 200 || s === 503)).toBe(true);
    const share = all.filter((s) => s === 503).length / all.length;
    expect(Math.abs(share - 0.3)).toBeLessThanOrEqual(0.01);
    // One at a time, so the order requests reach the proxy is fixed: the same seed, the same choices.
    const sequence = async (seed: number): Promise<number[]> => {
      const { port: p } = await faulted(seed);
      const client = pool(p, 1);
      const out: number[] = [];
      for (let i = 0; i < 300; i++) out.push(...(await statuses(i, 1, client)));
      return out;
    };
    const first = await sequence(11);
    expect(await sequence(11)).toEqual(first);
    expect(await sequence(12)).not.toEqual(first);
  }, 60_000);

  it('keeps pipelined requests with bodies framed and answered in order, only matching ones faulted', async () => {
    const { port: httpPort } = await startHttp();
    const { proxy, port } = await proxyTo(httpPort);
    proxy.addToxic({
      type: 'http_status',
      attributes: { status: 429, retry_after: 2 },
      match: { method: 'POST', path: '/fail/*' },
    });
    const socket = await connectTo(cleanup, port);
    const requests = [
      'GET /a HTTP/1.1\r\nhost: x\r\n\r\n',
      'POST /fail/1 HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello',
      'POST /ok HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'POST /fail/2 HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
      'GET /fail/3 HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET /chunked HTTP/1.1\r\nhost: x\r\n\r\n',
      'POST /fail/4 HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n',
      'HEAD /b HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET /c HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    ];
    const received = receiveAll(socket, () => performance.now());
    // Byte by byte for the first half, so every head and body straddles reads.
    const all = Buffer.from(requests.join(''));
    for (let i = 0; i < 120; i++) socket.write(all.subarray(i, i + 1));
    socket.write(all.subarray(120));
    const text = (await received).data.toString('latin1');
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '429', '200', '429', '200', '200', '429', '200', '200']);
    const bodies = [...text.matchAll(/(GET|POST|HEAD) \/\S* \d+/g)].map((m) => m[0]);
    expect(bodies).toEqual(['GET /a 0', 'POST /ok 3', 'GET /fail/3 0', 'GET /c 0']);
    // The chunked answer arrives whole, in order, before the injected 429 that follows it.
    expect(text).toMatch(
      /transfer-encoding: chunked\r\n\r\n3\r\nGET\r\n[0-9a-f]+\r\n \/chunked 0\r\n0\r\n\r\nHTTP\/1\.1 429/i,
    );
    expect(text).toMatch(/retry-after: 2\r\n/);
  });

  it.each([204, 304])(
    'answer %i with no body, so the next response on the keep-alive connection is read whole',
    async (status) => {
      const { port: httpPort } = await startHttp();
      const { proxy, port } = await proxyTo(httpPort);
      proxy.addToxic({ type: 'http_status', attributes: { status }, match: { path: '/nobody' } });
      const client = pool(port, 1);
      const faulted = await client.request({ method: 'GET', path: '/nobody' });
      expect(faulted.statusCode).toBe(status);
      expect(await faulted.body.text()).toBe('');
      const next = await client.request({ method: 'GET', path: '/a' });
      expect(next.statusCode).toBe(200);
      expect(await next.body.text()).toBe('GET /a 0');
    },
  );

  it('apply to an open keep-alive connection from its next request, and stop when removed', async () => {
    const { port: httpPort } = await startHttp();
    const { proxy, port } = await proxyTo(httpPort);
    const client = pool(port, 1);
    const get = async (path: string): Promise<string> => {
      const res = await client.request({ method: 'GET', path });
      return `${res.statusCode} ${await res.body.text()}`;
    };
    // No fault yet: the connection carries bytes as they are.
    expect(await get('/a')).toBe('200 GET /a 0');
    const fault = proxy.addToxic({ type: 'http_status', attributes: { status: 503 } });
    expect((await get('/b')).startsWith('503 ')).toBe(true);
    expect((await get('/c')).startsWith('503 ')).toBe(true);
    proxy.removeToxic(fault.name);
    expect(await get('/d')).toBe('200 GET /d 0');
    // Again, on the same connection: back to framing, and back out.
    proxy.addToxic({ type: 'http_status', attributes: { status: 429 }, match: { path: '/f*' } });
    expect(await get('/e')).toBe('200 GET /e 0');
    expect((await get('/f')).startsWith('429 ')).toBe(true);
    proxy.resetToxics();
    expect(await get('/f')).toBe('200 GET /f 0');
    expect(proxy.stats().acceptedConnections).toBe(1);
  });

  it('delay a ratio of requests by the setting, never early, and leave the others alone', async () => {
    const { port: httpPort } = await startHttp();
    const { proxy, port } = await proxyTo(httpPort);
    proxy.addToxic({ type: 'http_delay', toxicity: 0.5, attributes: { delay: 40 } });
    const client = pool(port, 1);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const res = await client.request({ method: 'GET', path: '/x' });
      await res.body.text();
      times.push(performance.now() - t0);
    }
    // Each request is either delayed by at least the setting or not at all; about half are.
    const slow = times.filter((t) => t >= 40).length;
    expect(slow + times.filter((t) => t < 30).length).toBe(times.length);
    expect(slow).toBeGreaterThan(70);
    expect(slow).toBeLessThan(130);
  });

  it('cut the connection in the middle of a response for a ratio of requests', async () => {
    const { port: httpPort } = await startHttp();
    const { proxy, port } = await proxyTo(httpPort);
    proxy.addToxic({ type: 'http_cut', match: { path: '/cut' } });
    const client = pool(port, 1);
    const ok = await client.request({ method: 'GET', path: '/fine' });
    expect(await ok.body.text()).toBe('GET /fine 0');
    const socket = await connectTo(cleanup, port);
    const received = receiveAll(socket, () => performance.now());
    socket.write('GET /cut HTTP/1.1\r\nhost: x\r\n\r\n');
    const got = (await received).data.toString('latin1');
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const body = got.split('\r\n\r\n')[1] ?? '';
    expect(body.length).toBeGreaterThan(0);
    expect(body.length).toBeLessThan('GET /cut 0'.length);
    await expect(
      client.request({ method: 'GET', path: '/cut' }).then((r) => r.body.text()),
    ).rejects.toThrow();
  });

  it('leave non-HTTP bytes unchanged, even with HTTP faults set', async () => {
    const echo = await startEcho(cleanup);
    const { proxy, port } = await proxyTo(echo.port);
    proxy.addToxic({ type: 'http_status', attributes: { status: 503 } });
    const socket = await connectTo(cleanup, port);
    const payload = randomBytes(256 * 1024);
    expect((await roundTrip(socket, payload)).equals(payload)).toBe(true);
  });

  it('are added, read and refused over the admin API like toxics, with match', async () => {
    const { port: httpPort } = await startHttp();
    const server = await startProxyServer({
      config: {
        seed: 1,
        proxies: [
          {
            name: 'api',
            upstream: `127.0.0.1:${httpPort}`,
            listen: '127.0.0.1:0',
            enabled: true,
            toxics: [],
          },
        ],
      },
    });
    cleanup.add(() => server.close());
    const post = (body: unknown) =>
      fetch(`${server.adminUrl}/proxies/api/toxics`, { method: 'POST', body: JSON.stringify(body) });
    const created = await post({
      type: 'http_delay',
      toxicity: 0.25,
      attributes: { delay: 30 },
      match: { method: 'get', path: '/users/*' },
    });
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({
      name: 'http_delay_downstream',
      type: 'http_delay',
      stream: 'downstream',
      toxicity: 0.25,
      attributes: { delay: 30 },
      match: { method: 'GET', path: '/users/*' },
    });
    const bad = await post({
      type: 'http_status',
      attributes: { status: 'x' },
      match: { path: 'users', verb: 1 },
    });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: string };
    expect(error).toContain('attributes.status: expected a whole number from 200 to 599, got "x"');
    expect(error).toContain('match.verb: unknown field');
    expect(error).toContain('match.path: expected a path starting with "/"');
    const onTcp = await post({ type: 'latency', match: { path: '/x' } });
    expect(onTcp.status).toBe(400);
  });
});
