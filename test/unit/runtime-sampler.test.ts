import { Counter, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntimeSampler, type RuntimeSampler } from '../../reference-service/src/telemetry/index.js';
import type { TelemetryMessage } from '../../src/telemetry/index.js';

let sampler: RuntimeSampler | undefined;
afterEach(() => sampler?.stop());

describe('the reference service runtime sampler', () => {
  it('hands over one sample per interval with CPU from the probe, memory, ELU, delay and per-interval counters', async () => {
    const registry = new Registry();
    const cache = new Counter({
      name: 'cache_requests_total',
      help: 'h',
      labelNames: ['result'],
      registers: [registry],
    });
    new Gauge({ name: 'db_pool_waiting', help: 'h', registers: [registry] }).set(4);
    cache.inc({ result: 'hit' }, 100);
    // A clock that moves one second per reading, and a process that used 250 ms user and
    // 50 ms system CPU more at every reading: 25% and 5% of a core.
    let clock = 1_000_000;
    let cpuReads = 0;
    const messages: TelemetryMessage[] = [];
    sampler = startRuntimeSampler({
      registry,
      intervalMs: 20,
      now: () => (clock += 1000),
      probe: {
        memoryUsage: () => ({ rss: 90e6, heapUsed: 20e6, heapTotal: 40e6, external: 2e6 }),
        cpuUsage: () => ({ user: (cpuReads += 1) * 250_000, system: cpuReads * 50_000 }),
        activeResources: () => 17,
      },
      onSample: (m) => {
        messages.push(m);
        cache.inc({ result: 'miss' }, 3);
      },
    });
    await expect.poll(() => messages.length).toBeGreaterThanOrEqual(3);
    const [first, second] = messages as [TelemetryMessage, TelemetryMessage];
    expect(first.type).toBe('telemetry');
    expect(first.intervalMs).toBe(1000);
    expect(second.atMs - first.atMs).toBe(1000);
    expect(first.sample).toMatchObject({
      heapUsedBytes: 20e6,
      heapTotalBytes: 40e6,
      rssBytes: 90e6,
      externalBytes: 2e6,
      cpuUserPct: 25,
      cpuSystemPct: 5,
      activeHandles: 17,
      pool: { waiting: 4 },
    });
    // Counters are per interval from the first sample on: the 100 hits came before the sampler.
    expect(first.sample.cache).toEqual({ hit: 0 });
    expect(second.sample.cache).toEqual({ hit: 0, miss: 3 });
    expect(first.sample.elu).toBeGreaterThanOrEqual(0);
    expect(first.sample.elu).toBeLessThanOrEqual(1);
    expect(first.sample.eventLoopDelayMs?.max).toBeGreaterThanOrEqual(
      first.sample.eventLoopDelayMs?.p50 as number,
    );
  });

  it('stops sending when stopped', async () => {
    const messages: TelemetryMessage[] = [];
    sampler = startRuntimeSampler({
      registry: new Registry(),
      intervalMs: 10,
      probe: {
        memoryUsage: () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 1 }),
        cpuUsage: () => ({ user: 0, system: 0 }),
        activeResources: () => 0,
      },
      onSample: (m) => messages.push(m),
    });
    await expect.poll(() => messages.length).toBeGreaterThan(0);
    sampler.stop();
    const count = messages.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(messages.length).toBe(count);
  });
});
