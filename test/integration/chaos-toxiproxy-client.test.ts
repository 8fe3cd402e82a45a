import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Toxiproxy, type ICreateToxicBody, type Latency } from 'toxiproxy-node-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxyServer } from '../../src/chaos/index.js';
import { Cleanup, connectTo, roundTrip, startEcho } from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function timedRoundTrip(port: number): Promise<number> {
  const socket = await connectTo(cleanup, port);
  const t0 = performance.now();
  expect((await roundTrip(socket, Buffer.from('ping'))).toString()).toBe('ping');
  const ms = performance.now() - t0;
  socket.destroy();
  return ms;
}

describe('the npm Toxiproxy client (toxiproxy-node-client 4) against the admin API', () => {
  it('creates a proxy, adds a latency toxic that delays a real socket, removes it, disables and deletes the proxy', async () => {
    const server = await startProxyServer({ config: { proxies: [], seed: 1 } });
    cleanup.add(() => server.close());
    const echo = await startEcho(cleanup);
    const toxiproxy = new Toxiproxy(server.adminUrl);

    expect(typeof (await toxiproxy.getVersion())).toBe('string');
    const proxy = await toxiproxy.createProxy({
      name: 'redis',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
    });
    const port = Number((await toxiproxy.get('redis')).listen.split(':').pop());
    expect(port).toBeGreaterThan(0);
    expect(await timedRoundTrip(port)).toBeLessThan(40);

    const toxic = await proxy.addToxic<Latency>({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 60, jitter: 0 },
    } satisfies ICreateToxicBody<Latency>);
    expect(toxic.attributes).toEqual({ latency: 60, jitter: 0 });
    expect((await proxy.getToxic<Latency>('slow')).attributes.latency).toBe(60);
    expect(await timedRoundTrip(port)).toBeGreaterThanOrEqual(60);

    const updated = await toxic.update({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    expect(updated.attributes.latency).toBe(100);
    expect(await timedRoundTrip(port)).toBeGreaterThanOrEqual(100);

    await toxic.remove();
    expect(await timedRoundTrip(port)).toBeLessThan(40);
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['redis']);

    await proxy.update({ listen: proxy.listen, upstream: proxy.upstream, enabled: false });
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await toxiproxy.reset();
    expect((await toxiproxy.get('redis')).enabled).toBe(true);

    await proxy.remove();
    expect(await toxiproxy.getAll()).toEqual({});
  });
});
