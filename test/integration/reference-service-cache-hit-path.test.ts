/**
 * The cache-hit path (reference-service/src/http/cache-hit-path.ts): a cache hit on
 * `GET /users/:id` is answered before fastify, byte for byte as fastify answers it and counted
 * the same; everything it must not answer still reaches fastify.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, startReferenceService, type RunningService } from '../helpers/reference-service.js';

afterEach(closeAll);

/** Starts the service with a hook counting the requests that went through fastify, by URL. */
async function start(knobs: Parameters<typeof startReferenceService>[0] = {}) {
  const throughFastify: string[] = [];
  const svc = await startReferenceService({
    ...knobs,
    beforeListen: ({ app }) =>
      app.addHook('onResponse', (request, _reply, done) => {
        throughFastify.push(`${request.method} ${request.url}`);
        done();
      }),
  });
  return { svc, throughFastify };
}

/** One request on a fresh connection; the raw answer with its Date header's value blanked. */
async function rawGet(svc: RunningService, path: string): Promise<string> {
  const socket = connect(Number(new URL(svc.url).port), '127.0.0.1');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return chunk.toString('latin1').replace(/^date: .*$/im, 'date: -');
}

describe('cache-hit path', () => {
  it('answers a hit as fastify answered the miss before it (status, headers, body) and counts both alike', async () => {
    const { svc, throughFastify } = await start();
    const miss = await rawGet(svc, '/users/3');
    const hit = await rawGet(svc, '/users/3');
    expect(hit).toBe(miss);
    expect(hit).toMatch(
      /^HTTP\/1\.1 200 OK\r\ncontent-type: application\/json; charset=utf-8\r\ncontent-length: \d+\r\n/,
    );
    expect(hit.endsWith('\r\n\r\n{"id":3,"name":"user-3","email":"user-3@example.test"}')).toBe(true);
    // The miss went through fastify, the hit did not.
    expect(throughFastify).toEqual(['GET /users/3']);
    const route = { method: 'GET', route: '/users/:id', status: '200' };
    expect(await svc.metric('http_requests_total', route)).toBe(2);
    expect(await svc.metric('cache_requests_total', { result: 'miss' })).toBe(1);
    expect(await svc.metric('cache_requests_total', { result: 'hit' })).toBe(1);
    expect(await svc.metric('http_requests_in_flight')).toBe(1); // the scrape itself
  });

  it('leaves HEAD, a query string, a malformed id and an unknown user to fastify', async () => {
    const { svc, throughFastify } = await start();
    await svc.call('GET', '/users/4');
    expect((await svc.call('HEAD', '/users/4')).status).toBe(200);
    expect(await svc.call('GET', '/users/4?fields=all')).toMatchObject({ status: 200, body: { id: 4 } });
    expect((await svc.call('GET', '/users/04')).status).toBe(400);
    expect((await svc.call('GET', '/users/999')).status).toBe(404);
    expect(throughFastify).toEqual([
      'GET /users/4',
      'HEAD /users/4',
      'GET /users/4?fields=all',
      'GET /users/04',
      'GET /users/999',
    ]);
    expect(await svc.metric('cache_requests_total', { result: 'hit' })).toBe(2);
  });

  it('refuses a hit with 503 while every admission slot is taken, as fastify does', async () => {
    const { svc, throughFastify } = await start({
      knobs: { server: { maxInFlight: 1, queueMax: 0 } },
    });
    await svc.call('GET', '/users/5');
    svc.db.behaviour.delayMs = 400;
    const slow = svc.call('GET', '/users/6'); // a miss holding the only slot
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await svc.call('GET', '/users/5');
    expect(refused).toMatchObject({ status: 503, body: { error: 'overloaded' } });
    expect(refused.headers['retry-after']).toBe('1');
    expect((await slow).status).toBe(200);
    expect(await svc.metric('http_requests_shed_total', { reason: 'max_in_flight' })).toBe(1);
    // Once the slot is free the hit is answered before fastify again.
    expect((await svc.call('GET', '/users/5')).status).toBe(200);
    const userRequests = throughFastify.filter((line) => line.includes('/users/'));
    expect(userRequests).toEqual(['GET /users/5', 'GET /users/5', 'GET /users/6']);
  });
});
