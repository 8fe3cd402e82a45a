/**
 * Admission control, load shedding and server timeouts over real sockets: a bounded number of
 * requests in flight, fast 503s past it, shedding on event-loop delay and heap, and a
 * slow-headers client cut near headersTimeoutMs.
 */
import { connect } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  quantile,
  startReferenceService,
  type RunningService,
} from '../helpers/reference-service.js';

afterEach(closeAll);

interface Sample {
  status: number;
  ms: number;
}

/** `workers` closed loops of GET /users/:id until `ms` pass; a refused worker waits `pauseMs` before its next request. */
async function closedLoad(svc: RunningService, workers: number, ms: number, pauseMs = 5): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const res = await svc.call('GET', `/users/${1 + ((w * 31 + i) % 100)}`);
        samples.push({ status: res.status, ms: res.ms });
        if (res.status !== 200) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  return samples;
}

/** The median of `values` (the mean of the middle two when their number is even). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid)
    ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
    : (sorted[Math.floor(mid)] as number);
}

describe('admission control', () => {
  it('at twice its capacity keeps the admitted p99 within 2x of the p99 at capacity, sheds the rest in a fraction of one store read, and recovers at once', async () => {
    // Capacity: 8 requests in flight, each a 20 ms store read (cache off).
    const storeReadMs = 20;
    const shedServiceMs: number[] = [];
    const svc = await startReferenceService({
      db: { delayMs: storeReadMs },
      knobs: {
        server: { maxInFlight: 8, queueMax: 0 },
        cache: { enabled: false },
        db: { pool: { max: 16 } },
      },
      agentConnections: 32,
      // The service's own time for each 503, from the request's arrival to the end of its answer.
      beforeListen: ({ app }) =>
        app.addHook('onResponse', (_request, reply, done) => {
          if (reply.statusCode === 503) shedServiceMs.push(reply.elapsedTime);
          done();
        }),
    });
    // Warm up with both loads, so the shed path is as warm as the admitted one: cold, it makes the
    // first overload window the slowest of all.
    await closedLoad(svc, 16, 300, storeReadMs);
    await closedLoad(svc, 8, 200);
    const shedInWarmUp = await svc.metric('http_requests_shed_total', { reason: 'max_in_flight' });
    shedServiceMs.length = 0;
    // The two loads in short windows, interleaved A B B A A B B A ..., rather than one long window
    // each, one after the other: a tail percentile of one window is set by its worst moment (one
    // stall of this shared process or of the host delays all 8 requests in flight at once), so the
    // claim is judged on the median of the windows' p99s, and drift over time favours neither load.
    // Twice the capacity is 16 clients, each refused one waiting one store read before it tries
    // again: twice the requests a second too, not the ~4x of a 5 ms pause, whose extra 503s this
    // process (client and service in one event loop) would pay for in every admitted request.
    const rounds = 6;
    const windowMs = 300;
    const atCapacity: Sample[][] = [];
    const overload: Sample[][] = [];
    const lag = monitorEventLoopDelay({ resolution: 1 });
    const overloaded = async () => {
      lag.enable();
      overload.push(await closedLoad(svc, 16, windowMs, storeReadMs));
      lag.disable();
    };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        atCapacity.push(await closedLoad(svc, 8, windowMs));
        await overloaded();
      } else {
        await overloaded();
        atCapacity.push(await closedLoad(svc, 8, windowMs));
      }
    }
    const stalledMs = lag.percentile(99) / 1e6;
    const after = await closedLoad(svc, 4, 300);

    expect(atCapacity.flat().every((s) => s.status === 200)).toBe(true);
    const windowP99 = (samples: Sample[]) =>
      quantile(
        samples.map((s) => s.ms),
        0.99,
      );
    const admitted = overload.map((w) => w.filter((s) => s.status === 200));
    const shed = overload.flat().filter((s) => s.status === 503);
    expect(admitted.flat().length + shed.length).toBe(overload.flat().length);
    for (const w of admitted) expect(w.length).toBeGreaterThan(0);
    expect(shed.length).toBeGreaterThan(admitted.flat().length * 0.2);
    expect(median(admitted.map(windowP99))).toBeLessThan(2 * median(atCapacity.map(windowP99)));
    // Shed at once, in the service's own time: a quarter of one store read at most, so a 503 that
    // waited for a slot (a store read or more) fails it; the median bare, the tail plus what a busy
    // machine stalled this (shared) event loop for (near 0 on a quiet one).
    expect(shedServiceMs).toHaveLength(shed.length);
    expect(quantile(shedServiceMs, 0.5)).toBeLessThan(storeReadMs / 4);
    expect(quantile(shedServiceMs, 0.99)).toBeLessThan(storeReadMs / 4 + stalledMs);
    expect(after.every((s) => s.status === 200)).toBe(true);
    expect(await svc.metric('http_requests_shed_total', { reason: 'max_in_flight' })).toBe(
      shedInWarmUp + shed.length,
    );
  }, 20_000);

  it('queues up to queueMax for queueTimeoutMs, then sheds; past the queue it sheds at once, with Retry-After', async () => {
    const svc = await startReferenceService({
      db: { delayMs: 300 },
      knobs: { server: { maxInFlight: 1, queueMax: 1, queueTimeoutMs: 100 }, cache: { enabled: false } },
    });
    const first = svc.call('GET', '/users/1');
    await expect.poll(() => svc.db.pending()).toBe(1);
    const queued = svc.call('GET', '/users/2');
    await expect.poll(async () => (await svc.call('GET', '/users/3')).status).toBe(503);
    const refused = await svc.call('GET', '/users/3');
    expect(refused).toMatchObject({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { error: 'overloaded' },
    });
    const timedOut = await queued;
    expect(timedOut.status).toBe(503);
    expect(timedOut.ms).toBeGreaterThanOrEqual(95);
    expect(timedOut.ms).toBeLessThan(290);
    expect((await first).status).toBe(200);
    expect(await svc.metric('http_requests_shed_total', { reason: 'queue_timeout' })).toBe(1);
    expect(await svc.metric('http_requests_shed_total', { reason: 'max_in_flight' })).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('hands a freed slot to a queued request, which then succeeds', async () => {
    const svc = await startReferenceService({
      db: { delayMs: 100 },
      knobs: { server: { maxInFlight: 1, queueMax: 4, queueTimeoutMs: 2000 }, cache: { enabled: false } },
    });
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => svc.call('GET', `/users/${i + 1}`)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(Math.max(...answers.map((a) => a.ms))).toBeGreaterThanOrEqual(390); // one at a time
  });

  it('answers /health, /ready and /metrics while every slot is taken', async () => {
    const svc = await startReferenceService({
      db: { delayMs: 500 },
      knobs: { server: { maxInFlight: 1 }, cache: { enabled: false } },
    });
    const slow = svc.call('GET', '/users/1');
    await expect.poll(() => svc.db.pending()).toBe(1);
    expect((await svc.call('GET', '/users/2')).status).toBe(503);
    for (const path of ['/health', '/ready', '/metrics'])
      expect((await svc.call('GET', path)).status).toBe(200);
    expect((await slow).status).toBe(200);
  });
});

describe('load shedding', () => {
  it('sheds user routes with 503 while the heap in use is over maxHeapUsedBytes, but not the probes', async () => {
    const svc = await startReferenceService({ knobs: { server: { shed: { maxHeapUsedBytes: 1 } } } });
    await expect.poll(async () => (await svc.call('GET', '/users/1')).status).toBe(503);
    const res = await svc.call('GET', '/users/1');
    expect(res).toMatchObject({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { error: 'overloaded' },
    });
    expect((await svc.call('GET', '/health')).status).toBe(200);
    expect(await svc.metric('http_requests_shed_total', { reason: 'heap' })).toBeGreaterThanOrEqual(2);
  });

  it('sheds while the event loop is stalled past maxEventLoopDelayMs, and serves again once it is not', async () => {
    const svc = await startReferenceService({ knobs: { server: { shed: { maxEventLoopDelayMs: 30 } } } });
    expect((await svc.call('GET', '/users/1')).status).toBe(200);
    // Stall this (the service's) event loop for 80 ms out of every 100.
    const staller = setInterval(() => {
      const until = performance.now() + 80;
      while (performance.now() < until);
    }, 20);
    try {
      await expect.poll(async () => (await svc.call('GET', '/users/1')).status, { timeout: 5000 }).toBe(503);
    } finally {
      clearInterval(staller);
    }
    await expect.poll(async () => (await svc.call('GET', '/users/1')).status, { timeout: 5000 }).toBe(200);
    expect(
      await svc.metric('http_requests_shed_total', { reason: 'event_loop_delay' }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('server timeouts', () => {
  /** Opens a raw connection that sends a request line and then one header byte every 100 ms, never ending its headers. */
  function slowHeaders(url: string): Promise<{ ms: number; response: string }> {
    const { port } = new URL(url);
    return new Promise((resolve) => {
      const started = performance.now();
      const socket = connect(Number(port), '127.0.0.1');
      let response = '';
      let drip: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write('GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        drip = setInterval(() => socket.write('a'), 100);
      });
      socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve({ ms: performance.now() - started, response });
      });
    });
  }

  it('cuts a slow-headers client with 408 near headersTimeoutMs, not 30 s later', async () => {
    const svc = await startReferenceService({
      knobs: { server: { headersTimeoutMs: 500, connectionsCheckingIntervalMs: 100 } },
    });
    const { ms, response } = await slowHeaders(svc.url);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(490);
    expect(ms).toBeLessThan(500 + 100 + 250); // timeout + one check interval + slack
  });

  it('cuts it only at the next connection check: a long check interval cuts it later', async () => {
    const svc = await startReferenceService({
      knobs: { server: { headersTimeoutMs: 300, connectionsCheckingIntervalMs: 1500 } },
    });
    const { ms, response } = await slowHeaders(svc.url);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(900);
  });
});
