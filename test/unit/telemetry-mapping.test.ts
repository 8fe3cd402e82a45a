import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readRegistrySamples } from '../../reference-service/src/telemetry/index.js';
import {
  bucketQuantile,
  parsePromText,
  readPromReadings,
  sampleBetween,
  type Bucket,
} from '../../src/telemetry/index.js';

/** A registry like the reference service's: prom-client defaults plus the service's own series. */
function serviceLikeRegistry() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const pool = { inUse: 7, idle: 3, waiting: 12 };
  const cache = new Counter({
    name: 'cache_requests_total',
    help: 'h',
    labelNames: ['result'],
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'h',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'in_use' }, pool.inUse);
      this.set({ state: 'idle' }, pool.idle);
    },
  });
  new Gauge({
    name: 'db_pool_waiting',
    help: 'h',
    registers: [registry],
    collect() {
      this.set(pool.waiting);
    },
  });
  const wait = new Histogram({
    name: 'db_pool_acquire_wait_seconds',
    help: 'h',
    buckets: [0.001, 0.01, 0.1, 1],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'h', registers: [registry] });
  const shed = new Counter({
    name: 'http_requests_shed_total',
    help: 'h',
    labelNames: ['reason'],
    registers: [registry],
  });
  const breaker = new Gauge({ name: 'recs_breaker_state', help: 'h', registers: [registry] });
  const retries = new Counter({ name: 'recs_retries_total', help: 'h', registers: [registry] });
  const recsCalls = new Counter({
    name: 'recs_calls_total',
    help: 'h',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { registry, pool, cache, wait, inFlight, shed, breaker, retries, recsCalls };
}

/** Allocates enough short-lived garbage to make V8 run a few scavenges. */
function churn(): number {
  let keep = 0;
  for (let i = 0; i < 300_000; i++) keep += { i, s: `x${i}` }.s.length;
  return keep;
}

describe('mapping real prom-client /metrics text to a service sample', () => {
  it('reads runtime gauges, turns counters into per-second deltas and estimates acquire-wait p99', async () => {
    const m = serviceLikeRegistry();
    m.cache.inc({ result: 'hit' }, 10);
    m.wait.observe(0.0005);
    const first = readPromReadings(parsePromText(await m.registry.metrics()));

    m.cache.inc({ result: 'hit' }, 90);
    m.cache.inc({ result: 'miss' }, 7);
    m.cache.inc({ result: 'coalesced' }, 3);
    // 100 acquires in the second: 98 under 1 ms, 2 between 10 and 100 ms.
    for (let i = 0; i < 98; i++) m.wait.observe(0.0005);
    m.wait.observe(0.05);
    m.wait.observe(0.05);
    m.inFlight.set(42);
    m.shed.inc({ reason: 'queue_full' }, 4);
    m.shed.inc({ reason: 'deadline' }, 1);
    m.breaker.set(1);
    m.retries.inc(6);
    // Calls made: every outcome but short_circuited (the open breaker refused those, no call).
    m.recsCalls.inc({ outcome: 'ok' }, 20);
    m.recsCalls.inc({ outcome: 'error' }, 4);
    m.recsCalls.inc({ outcome: 'timeout' }, 2);
    m.recsCalls.inc({ outcome: 'short_circuited' }, 9);
    expect(churn()).toBeGreaterThan(0);
    // prom-client's gc observer reports on a later tick: wait until the scrape shows a GC.
    let second = readPromReadings(parsePromText(await m.registry.metrics()));
    await expect
      .poll(async () => {
        second = readPromReadings(parsePromText(await m.registry.metrics()));
        return Object.keys(second.gc ?? {}).length;
      })
      .toBeGreaterThan(0);

    const sample = sampleBetween(first, second, 2);
    expect(sample.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(sample.heapTotalBytes).toBeGreaterThanOrEqual(sample.heapUsedBytes as number);
    expect(sample.rssBytes).toBeGreaterThan(sample.heapUsedBytes as number);
    expect(sample.externalBytes).toBeGreaterThan(0);
    expect(sample.activeHandles).toBeGreaterThanOrEqual(0);
    expect(sample.cpuUserPct).toBeGreaterThanOrEqual(0);
    expect(sample.cpuSystemPct).toBeGreaterThanOrEqual(0);
    expect(sample.eventLoopDelayMs?.p99).toBeGreaterThanOrEqual(0);
    expect(sample.eventLoopDelayMs?.max).toBeGreaterThanOrEqual(sample.eventLoopDelayMs?.p50 as number);
    expect(sample.pool).toMatchObject({ inUse: 7, idle: 3, waiting: 12 });
    // rank 99 of 100 falls in (10 ms, 100 ms], the 1st of its 2: 10 + 90 × (1/2) = 55 ms.
    expect(sample.pool?.acquireWaitP99Ms).toBeCloseTo(55, 6);
    expect(sample.cache).toEqual({ hit: 90, miss: 7, coalesced: 3 });
    expect(sample.inFlight).toBe(42);
    expect(sample.shed).toBe(5);
    expect(sample.breakerState).toBe(1);
    expect(sample.retries).toBe(6);
    expect(sample.recsCalls).toBe(26);
    expect(sample.gcCount).toBeGreaterThan(0);
    expect(sample.gcPauseMs).toBeGreaterThan(0);
    expect(Object.keys(sample.gcByKind ?? {}).length).toBeGreaterThan(0);
  });

  it('leaves every series the target does not expose absent, and needs two readings for counters', async () => {
    const registry = new Registry();
    new Gauge({ name: 'http_requests_in_flight', help: 'h', registers: [registry] }).set(3);
    const only = readPromReadings(parsePromText(await registry.metrics()));
    expect(sampleBetween(undefined, only, 1)).toEqual({ inFlight: 3 });
    expect(sampleBetween(undefined, readPromReadings([]), 1)).toEqual({});
  });

  it('subtracts the 10 ms monitoring resolution from prom-client event-loop gauges, never below 0', () => {
    const text = [
      'nodejs_eventloop_lag_p50_seconds 0.0102',
      'nodejs_eventloop_lag_p99_seconds 0.135',
      'nodejs_eventloop_lag_max_seconds 0.009',
    ].join('\n');
    const sample = sampleBetween(undefined, readPromReadings(parsePromText(text)), 1);
    expect(sample.eventLoopDelayMs).toEqual({ p50: 0.2, p99: 125, max: 0 });
  });

  it('reads the same application series in-process from the registry as from its /metrics text', async () => {
    const m = serviceLikeRegistry();
    m.cache.inc({ result: 'stale' }, 2);
    for (let i = 0; i < 10; i++) m.wait.observe(0.02);
    m.shed.inc({ reason: 'x' });
    m.recsCalls.inc({ outcome: 'ok' }, 3);
    const fromText = readPromReadings(parsePromText(await m.registry.metrics()));
    const inProcess = readPromReadings(await readRegistrySamples(m.registry));
    for (const key of [
      'poolInUse',
      'poolIdle',
      'poolWaiting',
      'acquireWaitBuckets',
      'cache',
      'shedTotal',
      'recsCallsTotal',
    ] as const) {
      expect(inProcess[key]).toEqual(fromText[key]);
    }
    expect(Object.keys(inProcess.gc ?? {}).sort()).toEqual(Object.keys(fromText.gc ?? {}).sort());
  });
});

describe('bucketQuantile', () => {
  const b = (pairs: [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }));
  it.each([
    {
      name: 'no observations',
      q: 0.99,
      buckets: b([
        [1, 0],
        [Infinity, 0],
      ]),
      want: undefined,
    },
    {
      name: 'all in the first bucket interpolate from 0',
      q: 0.5,
      buckets: b([
        [1, 10],
        [Infinity, 10],
      ]),
      want: 0.5,
    },
    {
      name: 'a rank in +Inf answers the highest finite bound',
      q: 0.99,
      buckets: b([
        [1, 1],
        [2, 1],
        [Infinity, 10],
      ]),
      want: 2,
    },
    {
      name: 'interpolates inside the bucket',
      q: 0.75,
      buckets: b([
        [1, 50],
        [3, 100],
        [Infinity, 100],
      ]),
      want: 2,
    },
    {
      name: 'unsorted buckets',
      q: 0.75,
      buckets: b([
        [Infinity, 100],
        [3, 100],
        [1, 50],
      ]),
      want: 2,
    },
  ])('$name', ({ q, buckets, want }) => {
    const got = bucketQuantile(q, buckets);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(want, 9);
  });
});
