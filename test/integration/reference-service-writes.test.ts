/**
 * The write API over real HTTP, against both stores: POST /users with Idempotency-Key, PUT and
 * DELETE /users/:id, each visible to the next read (the cache is updated or invalidated), and
 * the store's connection metrics. The service runs in-process; the simulated database and the
 * embedded PostgreSQL (one per file) are real servers on loopback.
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, serviceRuntimeSchema, type Service } from '../../reference-service/src/index.js';
import { createDbSimulator, dbSimSpecSchema, type DbSimulator } from '../../src/deps/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/deps/postgres/index.js';
import { hasPostgres } from '../helpers/postgres.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the store, then the service on it; answers its base URL. */
type Backend = () => Promise<string>;

const simulated: Backend = async () => {
  const sim: DbSimulator = createDbSimulator(
    dbSimSpecSchema.parse({ users: 100, latency: { dist: 'constant', ms: 1 } }),
    { seed: 1 },
  );
  cleanups.push(() => sim.close());
  return sim.listen();
};

const postgres: Backend = async () => {
  const cluster: EmbeddedPostgres = await startEmbeddedPostgres();
  cleanups.push(() => cluster.close());
  return cluster.url;
};

describe.each([
  ['the simulated database', simulated, true],
  ['PostgreSQL', postgres, hasPostgres()],
] as const)('the write API on %s', (_name, backend, available) => {
  let url: string;
  let agent: Agent;
  beforeAll(async () => {
    if (!available) return;
    const dbUrl = await backend();
    const config = serviceRuntimeSchema.parse({ dbUrl, dbUsers: 100, knobs: { log: { level: 'silent' } } });
    const service: Service = buildService(config);
    cleanups.push(() => service.shutdown('test over'));
    url = await service.listen();
    agent = new Agent({ connections: 16 });
    cleanups.push(() => agent.destroy());
  });

  const call = async (
    method: string,
    path: string,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await request(url + path, {
      method: method as 'GET',
      dispatcher: agent,
      headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.body.text();
    const isJson = String(res.headers['content-type']).startsWith('application/json');
    return {
      status: res.statusCode,
      headers: res.headers,
      body: isJson ? JSON.parse(text) : text || undefined,
    };
  };

  it.runIf(available)(
    'answers a retried POST with the same Idempotency-Key with the first 201, creating nothing',
    async () => {
      const headers = { 'idempotency-key': `retry-${Math.random()}` };
      const first = await call('POST', '/users', { name: 'ada', email: 'ada@example.test' }, headers);
      const again = await call('POST', '/users', { name: 'ada', email: 'ada@example.test' }, headers);
      expect(first).toMatchObject({ status: 201, body: { id: expect.any(Number), name: 'ada' } });
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again).toMatchObject({
        status: 201,
        body: first.body,
        headers: { 'idempotent-replayed': 'true' },
      });
      const other = await call('POST', '/users', { name: 'ada', email: 'ada@example.test' });
      expect((other.body as { id: number }).id).toBe((first.body as { id: number }).id + 1);
    },
  );

  it.runIf(available)(
    'answers 422 to a key reused with another body, and 400 to a malformed key',
    async () => {
      const headers = { 'idempotency-key': `mismatch-${Math.random()}` };
      expect((await call('POST', '/users', { name: 'one' }, headers)).status).toBe(201);
      expect(await call('POST', '/users', { name: 'two' }, headers)).toMatchObject({
        status: 422,
        body: { error: 'idempotency_mismatch' },
      });
      expect(
        await call('POST', '/users', { name: 'x' }, { 'idempotency-key': 'x'.repeat(256) }),
      ).toMatchObject({
        status: 400,
        body: { error: 'bad_request', message: expect.stringContaining('Idempotency-Key') },
      });
    },
  );

  it.runIf(available)('replaces a user with PUT, and the next read sees it past the cache', async () => {
    expect((await call('GET', '/users/7')).status).toBe(200); // now cached
    const put = await call('PUT', '/users/7', { name: 'seven', email: 'seven@example.test' });
    expect(put).toMatchObject({ status: 200, body: { id: 7, name: 'seven', email: 'seven@example.test' } });
    expect((await call('GET', '/users/7')).body).toEqual(put.body);
    expect(await call('PUT', '/users/100000', { name: 'ghost' })).toMatchObject({ status: 404 });
    expect(await call('PUT', '/users/7', { nom: 'x' })).toMatchObject({ status: 400 });
  });

  it.runIf(available)(
    'deletes a user with DELETE: 204, then its reads and a second DELETE are 404',
    async () => {
      expect((await call('GET', '/users/8')).status).toBe(200); // now cached
      expect(await call('DELETE', '/users/8')).toMatchObject({ status: 204, body: undefined });
      expect((await call('GET', '/users/8')).status).toBe(404);
      expect((await call('DELETE', '/users/8')).status).toBe(404);
      expect((await call('DELETE', '/users/abc')).status).toBe(400);
    },
  );

  it.runIf(available)('counts writes by operation and outcome in /metrics', async () => {
    const text = (await call('GET', '/metrics')).body as string;
    const value = (series: string): number => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('db_calls_total{op="delete",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value('db_calls_total{op="delete",outcome="not_found"}')).toBeGreaterThanOrEqual(1);
    expect(value('db_calls_total{op="replace",outcome="not_found"}')).toBeGreaterThanOrEqual(1);
    if (_name === 'PostgreSQL') expect(value('db_pg_connections{state="total"}')).toBeGreaterThan(0);
    else expect(text).not.toContain('db_pg_connections{');
  });
});
