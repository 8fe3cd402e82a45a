/**
 * GET /users/:id/profile over real sockets: the user and, in parallel, recommendations from the
 * simulated recommendations API, through the timeout, retry budget, breaker and fallback.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createRecsClient, type RecsClient } from '../../reference-service/src/adapters/recs-client.js';
import { createDeadline } from '../../reference-service/src/deadline.js';
import { serviceError } from '../../reference-service/src/errors.js';
import {
  buildService,
  serviceRuntimeSchema,
  type ServiceKnobsInput,
} from '../../reference-service/src/index.js';
import { startFakeDb } from '../helpers/fake-db.js';
import { closeAll, quantile, startReferenceService } from '../helpers/reference-service.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await closeAll();
});

/** A recommendations API on 127.0.0.1, port 0, answering with `handler`; counts requests. */
async function startRecsApi(handler: RequestListener): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    received++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: () => received };
}

/** The reference service in-process against a fake store and the given recommendations API. */
async function startServiceWith(recsUrl: string, knobs: ServiceKnobsInput) {
  const db = await startFakeDb();
  closers.push(() => db.close());
  const service = buildService(
    serviceRuntimeSchema.parse({ dbUrl: db.url, recsUrl, knobs: { ...knobs, log: { level: 'silent' } } }),
  );
  closers.push(() => service.shutdown('test over'));
  const url = await service.listen();
  const get = async (path: string) => {
    const res = await request(url + path);
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  const metric = async (name: string, labels = ''): Promise<number> => {
    const text = await (await request(`${url}/metrics`)).body.text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(labels === '' ? `${name} ` : `${name}{${labels}}`));
    return Number(line?.slice(line.lastIndexOf(' ') + 1));
  };
  return { get, metric };
}

describe('profile: fan-out', () => {
  it('answers the user with their recommendations, not degraded', async () => {
    const svc = await startReferenceService({ recs: { latency: { dist: 'constant', ms: 5 } } });
    const res = await svc.call('GET', '/users/3/profile');
    expect(res.status).toBe(200);
    const body = res.body as { user: { id: number }; recommendations: number[]; degraded: boolean };
    expect(body.user.id).toBe(3);
    expect(body.recommendations).toHaveLength(5);
    expect(body.degraded).toBe(false);
    expect(await svc.metric('recs_calls_total', { outcome: 'ok' })).toBe(1);
  });

  it('reads the user and the recommendations in parallel, not one after the other', async () => {
    const svc = await startReferenceService({
      db: { delayMs: 150 },
      recs: { latency: { dist: 'constant', ms: 150 } },
      knobs: { recommendations: { timeoutMs: 1000 } },
    });
    const res = await svc.call('GET', '/users/4/profile');
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(148);
    expect(res.ms).toBeLessThan(280); // sequential would take >= 300 ms
  });

  it('answers 404 for a user that does not exist and cancels its recommendations call', async () => {
    const svc = await startReferenceService({
      db: { users: 10 },
      recs: { latency: { dist: 'constant', ms: 2000 } },
      knobs: { recommendations: { timeoutMs: 5000 } },
    });
    const res = await svc.call('GET', '/users/99/profile');
    expect(res.status).toBe(404);
    expect(res.ms).toBeLessThan(1000);
    await expect.poll(() => svc.recs?.stats().inService).toBe(0);
    expect(await svc.metric('recs_calls_total', { outcome: 'cancelled' })).toBe(1);
  });

  it('answers 400 for an id that is not a positive integer', async () => {
    const svc = await startReferenceService({ recs: {} });
    expect((await svc.call('GET', '/users/x1/profile')).status).toBe(400);
  });

  it('answers degraded with the reason when no recommendations API is configured', async () => {
    const svc = await startReferenceService();
    const res = await svc.call('GET', '/users/1/profile');
    expect(res).toMatchObject({ status: 200, body: { degraded: true, reason: 'recs_not_configured' } });
  });
});

describe('profile: failing recommendations', () => {
  it('answers a degraded profile when recommendations fail and the fallback is on', async () => {
    const svc = await startReferenceService({
      recs: { errorRatio: 1, latency: { dist: 'constant', ms: 1 } },
      knobs: { recommendations: { retry: { attempts: 1 } } },
    });
    const res = await svc.call('GET', '/users/2/profile');
    expect(res).toMatchObject({
      status: 200,
      body: { user: { id: 2 }, recommendations: [], degraded: true, reason: 'recs_failed' },
    });
  });

  it('answers a degraded profile when the recommendations API is down (connection refused)', async () => {
    const svc = await startReferenceService({
      recs: {},
      knobs: { recommendations: { retry: { attempts: 1 } } },
    });
    await svc.recs?.close();
    const res = await svc.call('GET', '/users/2/profile');
    expect(res).toMatchObject({ status: 200, body: { degraded: true, reason: 'recs_failed' } });
    expect(await svc.metric('recs_calls_total', { outcome: 'error' })).toBe(1);
  });

  it('answers 502 when recommendations fail and the fallback is off', async () => {
    const svc = await startReferenceService({
      recs: { errorRatio: 1, latency: { dist: 'constant', ms: 1 } },
      knobs: { recommendations: { retry: { attempts: 1 }, fallback: false } },
    });
    const res = await svc.call('GET', '/users/2/profile');
    expect(res).toMatchObject({ status: 502, body: { error: 'dependency_failed' } });
  });

  const hungKnobs = (requestTimeoutMs: number) => ({
    server: { requestTimeoutMs },
    recommendations: {
      connections: 4,
      timeoutMs: 120,
      retry: { attempts: 3, backoffMs: 10, budgetRatio: 10 },
      breaker: { minRequests: 1000 },
    },
  });

  it('with a hung recommendations API, ends every request within its deadline plus 50 ms, with a degraded profile', async () => {
    const requestTimeoutMs = 300;
    const serviceMs: number[] = [];
    const svc = await startReferenceService({
      recs: { hang: true },
      knobs: hungKnobs(requestTimeoutMs),
      // The service's own time per profile, from the request's arrival to the end of its answer.
      beforeListen: ({ app }) =>
        app.addHook('onResponse', (request, reply, done) => {
          if (request.url.endsWith('/profile')) serviceMs.push(reply.elapsedTime);
          done();
        }),
    });
    // Warm: the user is cached (the deadline is the recommendations' alone), the code paths compiled.
    await Promise.all(Array.from({ length: 4 }, () => svc.call('GET', '/users/1/profile')));
    serviceMs.length = 0;
    // Service, simulator and client share this event loop: what a busy machine stalled it for is
    // added to the band of the slowest answers; the median must meet the bare band.
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const answers = await Promise.all(Array.from({ length: 6 }, () => svc.call('GET', '/users/1/profile')));
    lag.disable();
    const stalledMs = lag.max / 1e6;
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ degraded: true });
      expect(['recs_timeout', 'deadline_exceeded']).toContain((res.body as { reason: string }).reason);
      expect(res.ms).toBeGreaterThanOrEqual(requestTimeoutMs - 1);
      expect(res.ms).toBeLessThan(requestTimeoutMs + 50 + stalledMs);
    }
    expect(serviceMs).toHaveLength(6);
    expect(Math.max(...serviceMs)).toBeLessThan(requestTimeoutMs + 50 + stalledMs);
    expect(quantile(serviceMs, 0.5)).toBeLessThan(requestTimeoutMs + 50);
  });

  it('with a hung recommendations API, keeps to `connections` sockets however many requests wait', async () => {
    const svc = await startReferenceService({ recs: { hang: true }, knobs: hungKnobs(300) });
    const answers = await Promise.all(Array.from({ length: 40 }, () => svc.call('GET', '/users/1/profile')));
    expect(answers.every((res) => res.status === 200 && (res.body as { degraded: boolean }).degraded)).toBe(
      true,
    );
    // Unbounded, 40 requests would open 40 sockets (and more, as timed-out ones are replaced). The
    // server sees a destroyed socket close a little after the client opened its replacement, hence
    // the slack over 4.
    expect(svc.recs?.stats().maxConnections).toBeLessThanOrEqual(8);
  });

  it('never retries beyond the retry budget against a 50%-failing dependency', async () => {
    const budgetRatio = 0.1;
    const minRetries = 10; // per 10 s window, built in
    const svc = await startReferenceService({
      recs: { errorRatio: 0.5, latency: { dist: 'constant', ms: 1 } },
      knobs: {
        recommendations: {
          retry: { attempts: 3, backoffMs: 1, budgetRatio },
          breaker: { failureRatio: 1, minRequests: 100_000 },
        },
      },
    });
    const calls = 200; // well inside one 10 s budget window
    for (let i = 0; i < calls; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => svc.call('GET', `/users/${1 + ((i + j) % 100)}/profile`)),
      );
    }
    const retries = await svc.metric('recs_retries_total');
    expect(retries).toBeLessThanOrEqual(budgetRatio * calls + minRetries);
    // The budget was what stopped them: without it, about half the calls would retry.
    expect(retries).toBeGreaterThanOrEqual(budgetRatio * calls);
    expect(await svc.metric('recs_retry_budget_exhausted_total')).toBeGreaterThan(20);
    // Every attempt the API saw is a first call or a counted retry (an attempt that timed out
    // waiting for a socket never reached it).
    expect(svc.recs?.stats().received).toBeLessThanOrEqual(calls + retries);
  });

  it('opens the breaker after minRequests mostly-failed calls, then answers degraded at once without calling', async () => {
    const svc = await startReferenceService({
      recs: { errorRatio: 1, latency: { dist: 'constant', ms: 1 } },
      knobs: {
        recommendations: {
          retry: { attempts: 1 },
          breaker: { failureRatio: 0.5, minRequests: 10, halfOpenAfterMs: 60_000 },
        },
      },
    });
    for (let i = 0; i < 10; i++) await svc.call('GET', '/users/1/profile');
    expect(await svc.metric('recs_breaker_state')).toBe(1);
    const received = svc.recs?.stats().received;
    const res = await svc.call('GET', '/users/1/profile');
    expect(res).toMatchObject({ status: 200, body: { degraded: true, reason: 'recs_circuit_open' } });
    expect(svc.recs?.stats().received).toBe(received);
    expect(await svc.metric('recs_breaker_transitions_total', { to: 'open' })).toBe(1);
    expect(await svc.metric('recs_calls_total', { outcome: 'short_circuited' })).toBe(1);
  });

  it('neither retries a 4xx answer nor counts it against the breaker', async () => {
    const api = await startRecsApi((_req, res) => res.writeHead(429).end('{"error":"slow down"}'));
    const svc = await startServiceWith(api.url, {
      recommendations: {
        retry: { attempts: 3, backoffMs: 1, budgetRatio: 10 },
        breaker: { failureRatio: 0.5, minRequests: 5, halfOpenAfterMs: 60_000 },
      },
    });
    for (let i = 0; i < 10; i++) {
      expect(await svc.get('/users/1/profile')).toMatchObject({
        status: 200,
        body: { degraded: true, reason: 'recs_failed' },
      });
    }
    expect(api.received()).toBe(10); // one attempt per call: no retry
    expect(await svc.metric('recs_retries_total')).toBe(0);
    expect(await svc.metric('recs_calls_total', 'outcome="error"')).toBe(10);
    // 10 failures of 10 calls with minRequests 5 would have opened it, were 4xx counted.
    expect(await svc.metric('recs_breaker_state')).toBe(0);
    expect(await svc.metric('recs_breaker_transitions_total', 'to="open"')).toBe(0);
  });

  it('half-opens after halfOpenAfterMs and closes again on a successful trial', async () => {
    let failing = true;
    const api = await startRecsApi((_req, res) =>
      failing ? res.writeHead(503).end() : res.writeHead(200).end('{"items":[1,2]}'),
    );
    const halfOpenAfterMs = 150;
    const svc = await startServiceWith(api.url, {
      recommendations: {
        retry: { attempts: 1 },
        breaker: { failureRatio: 0.5, minRequests: 4, halfOpenAfterMs },
      },
    });
    for (let i = 0; i < 3; i++) await svc.get('/users/1/profile');
    // The 4th failure opens it: no earlier than this instant (a lower bound that holds however
    // slowly the scrape below answers).
    const beforeOpen = performance.now();
    await svc.get('/users/1/profile');
    expect(await svc.metric('recs_breaker_state')).toBe(1);
    failing = false;
    // Refused without a call until halfOpenAfterMs has passed; then one trial goes through.
    await expect
      .poll(async () => (await svc.get('/users/1/profile')).body.degraded, { interval: 20, timeout: 2000 })
      .toBe(false);
    expect(performance.now() - beforeOpen).toBeGreaterThanOrEqual(halfOpenAfterMs - 2); // Date.now() ticks in ms
    expect(api.received()).toBe(5);
    expect(await svc.metric('recs_breaker_state')).toBe(0);
    expect(await svc.metric('recs_breaker_transitions_total', 'to="half-open"')).toBe(1);
    expect(await svc.metric('recs_breaker_transitions_total', 'to="closed"')).toBe(1);
  });
});

describe('recs client: waiting for a socket is not the dependency failing', () => {
  it('does not count an attempt that ran out of time waiting for a socket as a breaker failure', async () => {
    let answer: (() => void) | undefined;
    const api = await startRecsApi((_req, res) => {
      answer = () => res.writeHead(200).end('{"items":[7]}');
    });
    const client: RecsClient = createRecsClient({
      recsUrl: api.url,
      connections: 1,
      timeoutMs: 5000,
      retry: { attempts: 1, backoffMs: 1, jitter: 'none', budgetRatio: 1 },
      // One failure in one call would open it.
      breaker: { failureRatio: 1, minRequests: 1, halfOpenAfterMs: 60_000, windowMs: 10_000 },
      now: () => performance.now(),
      random: () => 0.5,
    });
    closers.push(() => client.close());
    const deadline = (ms: number) => {
      const d = createDeadline(ms, () => serviceError('deadline_exceeded', 'the request deadline passed'));
      closers.push(async () => d.dispose());
      return d;
    };
    const first = client.get(1, deadline(5000));
    await expect.poll(() => api.received()).toBe(1); // the only socket is now busy
    const started = performance.now();
    await expect(client.get(2, deadline(50))).rejects.toMatchObject({ code: 'deadline_exceeded' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(api.received()).toBe(1); // it never reached the API
    expect(client.breakerState()).toBe('closed');
    answer?.();
    expect(await first).toEqual([7]);
    expect(client.breakerState()).toBe('closed');
  });
});
