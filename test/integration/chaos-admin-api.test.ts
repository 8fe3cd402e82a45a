import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ProxyCollection, startAdminApi } from '../../src/chaos/index.js';
import { Cleanup, connectTo, roundTrip, startEcho } from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function startApi(): Promise<{ call: typeof call; proxies: ProxyCollection }> {
  const proxies = new ProxyCollection({ seed: 1 });
  const api = await startAdminApi({ proxies, version: 'test' });
  cleanup.add(() => proxies.close());
  cleanup.add(() => api.close());
  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> => {
    const res = await request(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.body.text();
    const isJson = String(res.headers['content-type']).startsWith('application/json');
    return { status: res.statusCode, json: isJson ? (JSON.parse(text) as unknown) : text || undefined };
  };
  return { call, proxies };
}

describe('admin API (Toxiproxy-compatible)', () => {
  it('creates, reads, updates and deletes proxies and toxics with Toxiproxy status codes', async () => {
    const echo = await startEcho(cleanup);
    const { call } = await startApi();
    expect(await call('GET', '/version')).toEqual({ status: 200, json: { version: 'test' } });
    expect(await call('GET', '/proxies')).toEqual({ status: 200, json: {} });

    const upstream = `127.0.0.1:${echo.port}`;
    const created = await call('POST', '/proxies', { name: 'db', listen: '127.0.0.1:0', upstream });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'db', upstream, enabled: true, toxics: [] });
    const listen = (created.json as { listen: string }).listen;
    expect(listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);

    expect(await call('POST', '/proxies', { name: 'db', upstream })).toEqual({
      status: 409,
      json: { error: 'proxy already exists', status: 409 },
    });
    expect((await call('POST', '/proxies', { name: 'x' })).json).toEqual({
      error: 'missing required field: upstream',
      status: 400,
    });
    expect((await call('POST', '/proxies', '{not json')).status).toBe(400);

    const toxic = {
      name: 'lag',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 5 },
    };
    const added = await call('POST', '/proxies/db/toxics', toxic);
    expect(added).toEqual({ status: 200, json: { ...toxic, attributes: { latency: 5, jitter: 0 } } });
    expect((await call('POST', '/proxies/db/toxics', toxic)).status).toBe(409);
    expect((await call('POST', '/proxies/db/toxics', { type: 'nope' })).json).toEqual({
      error: 'invalid toxic type',
      status: 400,
    });
    expect((await call('POST', '/proxies/db/toxics', { type: 'latency', stream: 'sideways' })).status).toBe(
      400,
    );
    const defaulted = await call('POST', '/proxies/db/toxics', {
      type: 'bandwidth',
      attributes: { rate: 100 },
    });
    expect(defaulted.json).toEqual({
      name: 'bandwidth_downstream',
      type: 'bandwidth',
      stream: 'downstream',
      toxicity: 1,
      attributes: { rate: 100 },
    });

    const updated = await call('POST', '/proxies/db/toxics/lag', { attributes: { jitter: 2 } });
    expect(updated.json).toMatchObject({ name: 'lag', attributes: { latency: 5, jitter: 2 } });
    expect((await call('GET', '/proxies/db/toxics/lag')).json).toEqual(updated.json);
    expect(((await call('GET', '/proxies/db/toxics')).json as unknown[]).length).toBe(2);
    expect((await call('GET', '/proxies')).json).toMatchObject({ db: { name: 'db', listen, upstream } });

    const client = await connectTo(cleanup, Number(listen.split(':')[1]));
    expect((await roundTrip(client, Buffer.from('ping'))).toString()).toBe('ping');

    expect((await call('DELETE', '/proxies/db/toxics/lag')).status).toBe(204);
    expect(await call('GET', '/proxies/db/toxics/lag')).toEqual({
      status: 404,
      json: { error: 'toxic not found', status: 404 },
    });
    expect((await call('DELETE', '/proxies/db/toxics/lag')).status).toBe(404);

    const disabled = await call('PATCH', '/proxies/db', { enabled: false });
    expect(disabled).toMatchObject({ status: 200, json: { enabled: false, listen } });
    expect((await call('POST', '/reset')).status).toBe(204);
    expect((await call('GET', '/proxies/db')).json).toMatchObject({ enabled: true, listen, toxics: [] });

    expect((await call('DELETE', '/proxies/db')).status).toBe(204);
    expect(await call('GET', '/proxies/db')).toEqual({
      status: 404,
      json: { error: 'proxy not found', status: 404 },
    });
    expect((await call('DELETE', '/proxies/db')).status).toBe(404);
    expect((await call('GET', '/proxies/db/toxics')).status).toBe(404);
  });

  it('populates several proxies at once, keeping an unchanged one', async () => {
    const echo = await startEcho(cleanup);
    const { call } = await startApi();
    const upstream = `127.0.0.1:${echo.port}`;
    const first = await call('POST', '/populate', [
      { name: 'a', upstream },
      { name: 'b', upstream, enabled: false },
    ]);
    expect(first.status).toBe(201);
    const proxies = (first.json as { proxies: { name: string; listen: string; enabled: boolean }[] }).proxies;
    expect(proxies.map((p) => [p.name, p.enabled])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const again = await call('POST', '/populate', [{ name: 'a', upstream }]);
    expect((again.json as { proxies: { listen: string }[] }).proxies[0]?.listen).toBe(proxies[0]?.listen);
    expect((await call('POST', '/populate', [{ name: 'c' }])).status).toBe(400);
    expect((await call('POST', '/populate', { name: 'c' })).status).toBe(400);
  });

  it('refuses browsers: an Origin header or a Mozilla user agent gets 403', async () => {
    const { call } = await startApi();
    expect((await call('GET', '/proxies', undefined, { origin: 'http://evil.example' })).status).toBe(403);
    expect(
      (await call('POST', '/reset', undefined, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' })).status,
    ).toBe(403);
    expect((await call('GET', '/proxies', undefined, { 'user-agent': 'toxiproxy-cli' })).status).toBe(200);
  });

  it('binds to loopback only', async () => {
    await expect(startAdminApi({ proxies: new ProxyCollection(), host: '0.0.0.0' })).rejects.toThrow(
      /loopback/,
    );
  });
});
