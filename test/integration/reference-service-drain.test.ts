/**
 * SIGTERM during 500 requests/s of keep-alive load on the compiled service process
 * (dist/reference-service/src/main.js): every request the service had accepted before the signal
 * is answered 200, in-flight ones with `Connection: close`, and the process exits within the
 * slowest request + 1 s. Each request reads its own user with the cache off, so the fake store,
 * which lives in this process, shows which ones the service had taken on when the signal went.
 * The test script builds first; alone, run `npm run build` before it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigEnv, type ServiceRuntimeInput } from '../../reference-service/src/index.js';
import { isReadyMessage } from '../../protocol/child-protocol.js';
import { entries } from '../../src/shared/paths.js';
import { startFakeDb, type FakeDb } from '../helpers/fake-db.js';

const entry = entries.referenceService();
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Outcome {
  id: number;
  sentAt: number;
  endAt: number;
  status: number | string;
  connection: unknown;
}

async function startService(
  db: FakeDb,
): Promise<{ child: ChildProcess; url: string; exitedAt: Promise<number> }> {
  const config: ServiceRuntimeInput = {
    dbUrl: db.url,
    knobs: {
      log: { level: 'silent' },
      cache: { enabled: false },
      // Deadlines far off: a slow answer on a busy machine must not pass for a failed drain.
      db: { pool: { max: 256 }, queryTimeoutMs: 10_000 },
      server: { drainTimeoutMs: 10_000, requestTimeoutMs: 10_000 },
    },
  };
  const child = spawn(process.execPath, [entry], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, [serviceConfigEnv]: JSON.stringify(config) },
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exitedAt = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message) => {
      if (isReadyMessage(message)) resolve(message.url);
    });
    void exitedAt.then(() => reject(new Error('the service exited before it was ready')));
  });
  return { child, url, exitedAt };
}

describe('graceful shutdown under load', () => {
  it('on SIGTERM during 500 requests/s of keep-alive load, answers every request it had accepted and exits within the slowest request + 1 s', async () => {
    // 200 ms reads: ~100 requests are inside the service when it handles the signal, even if it is slow to.
    const db = await startFakeDb({ delayMs: 200, users: 100_000 });
    cleanups.push(() => db.close());
    const { child, url, exitedAt } = await startService(db);
    const pool = new Pool(url, { connections: 256, keepAliveTimeout: 10_000 });
    cleanups.push(() => pool.destroy());

    const outcomes: Outcome[] = [];
    const send = async (id: number): Promise<void> => {
      const sentAt = performance.now();
      let status: number | string;
      let connection: unknown;
      try {
        const res = await pool.request({ method: 'GET', path: `/users/${id}` });
        await res.body.dump();
        status = res.statusCode;
        connection = res.headers.connection;
      } catch (err) {
        status = (err as { code?: string }).code ?? 'error';
      }
      outcomes.push({ id, sentAt, endAt: performance.now(), status, connection });
    };

    // Open model: the k-th request (user k) is due at k x 2 ms; send until the process has exited.
    let exited = false;
    void exitedAt.then(() => (exited = true));
    const pending: Promise<void>[] = [];
    const accepted = new Set<number>();
    const start = performance.now();
    let signalAt = Number.POSITIVE_INFINITY;
    let sent = 0;
    while (!exited && performance.now() - start < 15_000) {
      const due = Math.floor((performance.now() - start) / 2);
      while (sent < due) pending.push(send(++sent));
      // The signal goes once the service has taken on 300 requests, and at least 1 s into the load.
      if (
        signalAt === Number.POSITIVE_INFINITY &&
        performance.now() - start >= 1000 &&
        db.received() >= 300
      ) {
        // Accepted: the service had already asked the store for that request's user.
        for (let id = 1; id <= sent; id++) if (db.readsOf(id) > 0) accepted.add(id);
        signalAt = performance.now();
        child.kill('SIGTERM');
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const exitAt = await exitedAt;
    await Promise.all(pending);

    const acceptedOutcomes = outcomes.filter((o) => accepted.has(o.id));
    expect(acceptedOutcomes.length).toBeGreaterThanOrEqual(300);
    const failed = acceptedOutcomes.filter((o) => o.status !== 200);
    expect(failed.map((o) => `${o.status} after ${Math.round(o.endAt - o.sentAt)} ms`)).toEqual([]);
    // The ones in flight at the signal were answered, telling their keep-alive client to leave.
    const inFlight = acceptedOutcomes.filter((o) => o.endAt > signalAt);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.some((o) => o.connection === 'close')).toBe(true);
    const slowestMs = Math.max(...acceptedOutcomes.map((o) => o.endAt - o.sentAt));
    expect(exitAt - signalAt).toBeLessThan(slowestMs + 1000);
    expect(child.exitCode).toBe(0);
  }, 30_000);
});
