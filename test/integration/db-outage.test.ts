/**
 * A 5 s database outage under steady load, against the reference service as a child process:
 * the database is killed (PostgreSQL: an immediate shutdown, like a crash; the simulator: closed)
 * and started again on the same port. While it is down the service must not crash and must
 * answer 503 fast (p99 under 50 ms); once it is back, reads must succeed again within 5 s.
 *
 * On a machine busy with other work a stall of the test process or the service delays every
 * request in flight by tens of ms, so each request goes out paired with a /health (no store call)
 * sent at the same instant, as a simultaneous A/B: the 503's latency minus its pair's must have
 * a p99 under 50 ms (shared stalls cancel out), and the 503s' own p50 must be under 50 ms too. A
 * 503 that waited on a connect or query timeout (1 s and more) fails both.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceConfigEnv } from '../../reference-service/src/index.js';
import { createDbSimulator, dbSimSpecSchema, type DbSimulator } from '../../src/deps/index.js';
import { startEmbeddedPostgres } from '../../src/deps/postgres/index.js';
import { startChild, type RunningChild } from '../../src/lab/child-process.js';
import { entries } from '../../src/shared/paths.js';
import { hasPostgres } from '../helpers/postgres.js';

// 250 requests into the outage: every one goes to the dead store (no cache, no breaker on it), so a
// longer outage repeats the same paths; the first second holds the one-off ones (broken pooled
// connections, the first failed connects).
const outageMs = 5_000;
const requestsPerSecond = 50;

/** A database the test can take down and bring back on the same port. */
interface Outageable {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function simulated(): Promise<Outageable> {
  const spec = dbSimSpecSchema.parse({ users: 1000, latency: { dist: 'constant', ms: 1 } });
  let sim: DbSimulator = createDbSimulator(spec, { seed: 1 });
  const url = await sim.listen();
  const port = Number(new URL(url).port);
  return {
    url,
    down: () => sim.close(),
    async up() {
      sim = createDbSimulator(spec, { seed: 1 });
      await sim.listen('127.0.0.1', port);
    },
    close: () => sim.close(),
  };
}

async function postgres(): Promise<Outageable> {
  const cluster = await startEmbeddedPostgres();
  return {
    url: cluster.url,
    down: () => cluster.stopServer('immediate'),
    up: () => cluster.startServer(),
    close: () => cluster.close(),
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Sample {
  status: number;
  ms: number;
}

function percentile(samples: readonly Sample[], q: number): number {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] ?? Number.NaN;
}

const p99 = (samples: readonly Sample[]): number => percentile(samples, 0.99);

describe.each([
  ['the simulated database', simulated, true],
  ['PostgreSQL', postgres, hasPostgres()],
] as const)('a 5 s outage of %s', (_name, makeDb, available) => {
  it.runIf(available)(
    'answers fast 503s while it is down, never crashes, and recovers within 5 s of its return',
    async () => {
      const db = await makeDb();
      cleanups.push(() => db.close());
      const service: RunningChild = await startChild({
        name: 'service',
        execPath: process.execPath,
        entry: entries.referenceService(),
        env: {
          ...process.env,
          [serviceConfigEnv]: JSON.stringify({
            dbUrl: db.url,
            dbUsers: 1000,
            // No cache: every read reaches the store, so every request sees the outage.
            knobs: { cache: { enabled: false }, log: { level: 'error' } },
          }),
        },
      });
      cleanups.push(() => service.stop());
      const client = new Pool(service.url, { connections: 32 });
      cleanups.push(() => client.destroy());
      const get = async (path: string): Promise<Sample> => {
        const started = performance.now();
        const res = await client.request({ path, method: 'GET', headersTimeout: 5000, bodyTimeout: 5000 });
        await res.body.dump();
        return { status: res.statusCode, ms: performance.now() - started };
      };

      for (let i = 1; i <= 50; i++) expect((await get(`/users/${i}`)).status).toBe(200);

      await db.down();
      const during: Array<Promise<[Sample, Sample]>> = [];
      const outageStart = performance.now();
      // Paced at a fixed rate for the outage's length (bounded in time and count).
      for (let i = 0; i < (outageMs / 1000) * requestsPerSecond; i++) {
        const due = outageStart + (i * 1000) / requestsPerSecond;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        during.push(Promise.all([get(`/users/${(i % 1000) + 1}`), get('/health')]));
      }
      const pairs = await Promise.all(during);
      const samples = pairs.map(([sample]) => sample);
      const excess = pairs
        .filter(([sample]) => sample.status === 503)
        .map(([sample, control]) => ({ status: 503, ms: sample.ms - control.ms }));
      expect(performance.now() - outageStart).toBeGreaterThanOrEqual(outageMs - 100);

      await db.up();
      const back = performance.now();
      await expect
        .poll(async () => (await get('/users/7')).status, { timeout: 5000, interval: 50 })
        .toBe(200);
      const recoveredMs = performance.now() - back;

      expect(service.hasExited).toBe(false);
      const statuses = new Map<number, number>();
      for (const s of samples) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
      // Every request during the outage is a 503 with Retry-After — except at most one per pooled
      // connection that breaks mid-call as the database dies (502).
      expect(statuses.get(503) ?? 0).toBeGreaterThanOrEqual(samples.length - 10);
      expect([...statuses.keys()].every((status) => status === 503 || status === 502)).toBe(true);
      expect(p99(excess)).toBeLessThan(50);
      expect(
        percentile(
          samples.filter((s) => s.status === 503),
          0.5,
        ),
      ).toBeLessThan(50);
      expect(recoveredMs).toBeLessThan(5000);
      for (let i = 1; i <= 20; i++) expect((await get(`/users/${i}`)).status).toBe(200);
    },
    40_000,
  );
});
