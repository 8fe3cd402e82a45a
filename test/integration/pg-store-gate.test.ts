/**
 * The PostgreSQL store keeps pg's own wait list empty: against a database that accepts TCP
 * connections but never answers (a real socket on loopback), a call whose deadline passed keeps
 * its gate slot until pg's connect settles, and the idempotency-key purge holds a slot too. At
 * every instant pg's connections plus its waiting callers never exceed the gate's slots in use.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgStore } from '../../reference-service/src/adapters/pg-store.js';
import { createPoolGate, type PoolGate } from '../../reference-service/src/adapters/pool-gate.js';
import { createDeadline, type Deadline } from '../../reference-service/src/deadline.js';
import { serviceError } from '../../reference-service/src/errors.js';

const max = 2;
const connectionTimeoutMs = 1500;

let server: Server | undefined;
const sockets: Socket[] = [];
let store: PgStore | undefined;
const deadlines: Deadline[] = [];
afterEach(async () => {
  for (const d of deadlines.splice(0)) d.dispose();
  await store?.close();
  store = undefined;
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that accepts connections and never writes a byte; resolves with its port. */
async function silentDatabase(): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  server = createServer((socket) => {
    accepted++;
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { port: (server?.address() as AddressInfo).port, accepted: () => accepted };
}

function setUp(port: number): { store: PgStore; gate: PoolGate } {
  const gate = createPoolGate({ max, queueMax: 50, acquireTimeoutMs: 10_000 });
  store = createPgStore({
    url: `postgres://loadlab@127.0.0.1:${port}/loadlab`,
    max,
    idleTimeoutMs: 1000,
    connectionTimeoutMs,
    statementTimeoutMs: 1000,
    queryTimeoutMs: 100,
    seedUsers: 0,
    gate,
  });
  return { store, gate };
}

/** A request context whose deadline passes in `ms`. */
function ctx(ms: number): Deadline {
  const d = createDeadline(ms, () => serviceError('deadline_exceeded', 'request deadline'));
  deadlines.push(d);
  return d;
}

/** Samples pg's and the gate's counts every 2 ms while `work` runs; returns the worst excess of pg over the gate. */
async function watch(
  store: PgStore,
  gate: PoolGate,
  work: Promise<unknown>,
): Promise<{ excess: number; pgWaiting: number }> {
  let excess = 0;
  let pgWaiting = 0;
  const sample = (): void => {
    const pool = store.counts();
    pgWaiting = Math.max(pgWaiting, pool.waiting);
    excess = Math.max(excess, pool.total + pool.waiting - gate.counts().inUse);
  };
  const timer = setInterval(sample, 2);
  try {
    await work;
    sample();
  } finally {
    clearInterval(timer);
  }
  return { excess, pgWaiting };
}

describe('the PostgreSQL store against a database that never answers', () => {
  it('keeps a timed-out call’s slot until pg’s connect settles, so pg never queues callers', async () => {
    const db = await silentDatabase();
    const { store, gate } = setUp(db.port);
    const calls = Array.from({ length: 20 }, () =>
      store.get(1, ctx(400)).then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      ),
    );
    const { excess, pgWaiting } = await watch(store, gate, Promise.all(calls));
    const codes = await Promise.all(calls);
    // Two calls got a slot and hit their 100 ms store deadline; the rest waited at the gate until the request deadline.
    expect(codes.filter((c) => c === 'deadline_exceeded' || c === 'store_timeout')).toHaveLength(20);
    expect(pgWaiting).toBe(0);
    expect(excess).toBeLessThanOrEqual(0);
    expect(db.accepted()).toBeLessThanOrEqual(max);
    // Every caller has its answer, but pg still waits on two connects: their slots are still held.
    expect(store.counts().total).toBe(max);
    expect(gate.counts().inUse).toBe(max);
    // pg gives up after connectionTimeoutMs; then the slots come back.
    await expect
      .poll(() => ({ gate: gate.counts().inUse, pg: store.counts().total }), {
        timeout: connectionTimeoutMs + 3000,
      })
      .toEqual({ gate: 0, pg: 0 });
  });

  it('runs the idempotency-key purge through the gate as well', async () => {
    const db = await silentDatabase();
    const { store, gate } = setUp(db.port);
    // The first keyed create of a minute also starts the purge: with two creates, three users of the pool.
    const calls = ['a', 'b', 'c'].map((key) =>
      store.create({ name: key }, ctx(400), { idempotencyKey: key }).then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      ),
    );
    const { excess, pgWaiting } = await watch(store, gate, Promise.all(calls));
    expect(pgWaiting).toBe(0);
    expect(excess).toBeLessThanOrEqual(0);
    expect(db.accepted()).toBeLessThanOrEqual(max);
    await expect
      .poll(() => ({ gate: gate.counts().inUse, pg: store.counts().total }), {
        timeout: connectionTimeoutMs + 3000,
      })
      .toEqual({ gate: 0, pg: 0 });
  });
});
