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

  it('refuses to move a proxy onto a busy address with 409, and keeps it listening where it was', async () => {
    const echo = await startEcho(cleanup);
    const busy = await startEcho(cleanup); // something else holds this address
    const { call } = await startApi();
    const upstream = `127.0.0.1:${echo.port}`;
    const created = await call('POST', '/proxies', { name: 'db', upstream });
    const listen = (created.json as { listen: string }).listen;
    const taken = `127.0.0.1:${busy.port}`;

    const moved = await call('POST', '/proxies/db', { listen: taken });
    expect(moved).toEqual({
      status: 409,
      json: {
        error: `proxy db: cannot listen on ${taken}: the address is already in use; it still listens on ${listen}`,
        status: 409,
      },
    });
    expect((await call('GET', '/proxies/db')).json).toMatchObject({ listen, enabled: true });
    const client = await connectTo(cleanup, Number(listen.split(':')[1]));
    expect((await roundTrip(client, Buffer.from('still here'))).toString()).toBe('still here');
    expect((await call('POST', '/reset')).status).toBe(204);

    // Creating a proxy on a busy address is refused the same way, and leaves nothing behind.
    expect(await call('POST', '/proxies', { name: 'x', listen: taken, upstream })).toEqual({
      status: 409,
      json: { error: `proxy x: cannot listen on ${taken}: the address is already in use`, status: 409 },
    });
    expect((await call('GET', '/proxies/x')).status).toBe(404);

    // A free address still works, and the old one is let go.
    const free = await call('POST', '/proxies/db', { listen: '127.0.0.1:0' });
    expect(free.status).toBe(200);
    const now = (free.json as { listen: string }).listen;
    expect(now).not.toBe(listen);
    const refused = await connectTo(cleanup, Number(listen.split(':')[1])).then(
      () => 'connected',
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(refused).toBe('ECONNREFUSED');
  });

  it('answers a malformed percent-escape in the path with 400, not 500', async () => {
    const { call } = await startApi();
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      expect(await call(method, '/proxies/%E0%A4%A')).toEqual({
        status: 400,
        json: { error: 'bad request: malformed percent-escape in path segment "%E0%A4%A"', status: 400 },
      });
    }
    expect((await call('GET', '/proxies/db%2Fx/toxics')).status).toBe(404); // well-formed: no such proxy
  });

  it.each([
    [
      'latency',
      { latency: 2 ** 31 },
      'attributes.latency: expected a number from 0 to 86400000 ms, got 2147483648',
    ],
    ['latency', { jitter: -1 }, 'attributes.jitter: expected a number from 0 to 86400000 ms, got -1'],
    [
      'timeout',
      { timeout: 1e308 },
      'attributes.timeout: expected a number from 0 to 86400000 ms, got 1e+308',
    ],
    [
      'bandwidth',
      { rate: 1e9 },
      'attributes.rate: expected a number from 0 to 10000000 KB/s, got 1000000000',
    ],
    [
      'slicer',
      { average_size: 1.5 },
      'attributes.average_size: expected a whole number from 0 to 1048576 bytes, got 1.5',
    ],
    ['http_status', { status: 0 }, 'attributes.status: expected a whole number from 200 to 599, got 0'],
    ['http_status', { status: 999 }, 'attributes.status: expected a whole number from 200 to 599, got 999'],
    ['http_status', { status: 101 }, 'attributes.status: expected a whole number from 200 to 599, got 101'],
    ['http_delay', { delay: '5' }, 'attributes.delay: expected a number from 0 to 86400000 ms, got "5"'],
  ])('refuses a %s toxic with %j, naming the bound', async (type, attributes, why) => {
    const echo = await startEcho(cleanup);
    const { call } = await startApi();
    await call('POST', '/proxies', { name: 'db', upstream: `127.0.0.1:${echo.port}` });
    expect(await call('POST', '/proxies/db/toxics', { type, attributes })).toEqual({
      status: 400,
      json: { error: `bad request body: ${why}`, status: 400 },
    });
    expect((await call('GET', '/proxies/db/toxics')).json).toEqual([]);
  });

  it('takes the bounds themselves', async () => {
    const echo = await startEcho(cleanup);
    const { call } = await startApi();
    await call('POST', '/proxies', { name: 'db', upstream: `127.0.0.1:${echo.port}` });
    const ok = async (type: string, attributes: Record<string, number>) =>
      (
        await call('POST', '/proxies/db/toxics', {
          name: `${type}-${JSON.stringify(attributes)}`,
          type,
          attributes,
        })
      ).status;
    expect(await ok('latency', { latency: 86_400_000, jitter: 0 })).toBe(200);
    expect(await ok('http_status', { status: 200 })).toBe(200);
    expect(await ok('http_status', { status: 599, retry_after: 86_400 })).toBe(200);
    expect(await ok('bandwidth', { rate: 0 })).toBe(200);
  });
});
