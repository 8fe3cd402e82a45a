/**
 * One contract for every user store, run against both over real sockets: the HTTP store in
 * front of the simulated database, and the PostgreSQL store on an embedded cluster (one per
 * file). Reads, writes, not-found, Idempotency-Key semantics, and deadlines that cut a stalled
 * call short and leave the store usable.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoolGate } from '../../reference-service/src/adapters/pool-gate.js';
import { createStore, type Store } from '../../reference-service/src/adapters/store.js';
import type { CallContext } from '../../reference-service/src/deadline.js';
import { createDeadline } from '../../reference-service/src/deadline.js';
import { serviceError } from '../../reference-service/src/errors.js';
import { serviceRuntimeSchema, type ServiceKnobsInput } from '../../reference-service/src/index.js';
import { createDbSimulator, type DbSimSpecInput, type DbSimulator } from '../../src/deps/index.js';
import { dbSimSpecSchema } from '../../src/deps/db-spec.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/deps/postgres/index.js';
import { hasPostgres } from '../helpers/postgres.js';

const seeded = 10;

type DbKnobs = NonNullable<ServiceKnobsInput>['db'];

/** A deadline `ms` from now, as a request's would be. */
function ctx(ms = 5000): CallContext {
  return createDeadline(ms, () => serviceError('deadline_exceeded', `test deadline of ${ms} ms passed`));
}

function open(dbUrl: string, knobs: DbKnobs = {}): Store {
  const config = serviceRuntimeSchema.parse({ dbUrl, dbUsers: seeded, knobs: { db: knobs } });
  const gate = createPoolGate({ ...config.knobs.db.pool });
  return createStore(config, { gate });
}

/** What each store under test provides. */
interface Harness {
  /** A fresh data set with users 1..10, and a store on it. */
  fresh(knobs?: DbKnobs): Promise<Store>;
  /** A store on which every call touching user `id` stalls until `release()`. */
  stalled(knobs?: DbKnobs): Promise<{ store: Store; id: number; release(): Promise<void> }>;
  /** Calls the database is still working on for this store (after a deadline cut one short). */
  busy(): Promise<number>;
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulated(): Promise<Harness> {
  const sims: DbSimulator[] = [];
  cleanups.push(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
  });
  const start = async (spec: DbSimSpecInput) => {
    const sim = createDbSimulator(dbSimSpecSchema.parse(spec), { seed: 1 });
    sims.push(sim);
    return { sim, url: await sim.listen() };
  };
  let last: DbSimulator | undefined;
  const track = (store: Store): Store => {
    cleanups.push(() => store.close());
    return store;
  };
  return {
    async fresh(knobs) {
      const { sim, url } = await start({ users: seeded, capacity: 64, latency: { dist: 'constant', ms: 0 } });
      last = sim;
      return track(open(url, knobs));
    },
    async stalled(knobs) {
      const { sim, url } = await start({
        users: seeded,
        capacity: 64,
        latency: { dist: 'constant', ms: 60_000 },
      });
      last = sim;
      return { store: track(open(url, knobs)), id: 5, release: async () => undefined };
    },
    async busy() {
      return last?.stats().inService ?? 0;
    },
  };
}

let nextStalledId = 5;
let sharedCluster: Promise<EmbeddedPostgres> | undefined;
/** The file's one embedded cluster, started on first use. */
function cluster(): Promise<EmbeddedPostgres> {
  sharedCluster ??= startEmbeddedPostgres().then((started) => {
    cleanups.unshift(() => started.close()); // closed last, after every store on it
    return started;
  });
  return sharedCluster;
}

async function postgres(): Promise<Harness & { url: string; open(users: number): Promise<Store> }> {
  const { url } = await cluster();
  const admin = new pg.Client({ connectionString: url });
  admin.on('error', () => undefined); // a cluster closing under it; the test's own asserts decide
  await admin.connect();
  cleanups.push(() => admin.end());
  const track = async (store: Store): Promise<Store> => {
    cleanups.push(() => store.close());
    await store.start();
    return store;
  };
  return {
    url,
    async open(users) {
      const config = serviceRuntimeSchema.parse({ dbUrl: url, dbUsers: users });
      return track(createStore(config, { gate: createPoolGate({ ...config.knobs.db.pool }) }));
    },
    async fresh(knobs) {
      await admin.query('DROP SCHEMA IF EXISTS loadlab CASCADE');
      return track(open(url, knobs));
    },
    async stalled(knobs) {
      // Not fresh: dropping the schema would wait for the row lock of an earlier stalled store.
      const store = await track(open(url, knobs));
      const locker = new pg.Client({ connectionString: url });
      locker.on('error', () => undefined); // a cluster closing under it; the test's own asserts decide
      await locker.connect();
      await locker.query('BEGIN');
      // Each stall locks its own user, so stalls can overlap.
      const id = nextStalledId++;
      await locker.query('SELECT * FROM loadlab.users WHERE id = $1 FOR UPDATE', [id]);
      return {
        store,
        id,
        release: async () => {
          await locker.query('ROLLBACK');
          await locker.end();
        },
      };
    },
    async busy() {
      const result = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = 'loadlab-reference-service' AND state = 'active'`,
      );
      return (result.rows[0] as { n: number }).n;
    },
  };
}

const stores: Array<[string, () => Promise<Harness>, boolean]> = [
  ['the simulated database over HTTP', simulated, true],
  ['PostgreSQL (embedded cluster)', postgres, hasPostgres()],
];

describe.each(stores)('the user store contract: %s', (_name, makeHarness, available) => {
  let harness: Harness;
  let store: Store;
  beforeAll(async () => {
    if (!available) return;
    harness = await makeHarness();
    store = await harness.fresh();
  });

  it.runIf(available)('reads seeded users and answers undefined past them', async () => {
    expect(await store.get(3, ctx())).toMatchObject({ id: 3, name: expect.stringMatching(/^user-3/) });
    expect(await store.get(seeded + 1000, ctx())).toBeUndefined();
  });

  it.runIf(available)('creates users with fresh ids and reads them back', async () => {
    const a = await store.create({ name: 'ada', email: 'ada@example.test' }, ctx());
    const b = await store.create({ name: 'bob', email: 'bob@example.test' }, ctx());
    expect(a).toEqual({
      user: { id: expect.any(Number), name: 'ada', email: 'ada@example.test' },
      replayed: false,
    });
    expect(a.user.id).toBeGreaterThan(seeded);
    expect(b.user.id).toBeGreaterThan(a.user.id);
    expect(await store.get(a.user.id, ctx())).toEqual(a.user);
  });

  it.runIf(available)('replaces a user, and answers undefined for one that does not exist', async () => {
    const replaced = await store.replace(4, { name: 'renamed', email: 'r@example.test' }, ctx());
    expect(replaced).toEqual({ id: 4, name: 'renamed', email: 'r@example.test' });
    expect(await store.get(4, ctx())).toEqual(replaced);
    expect(await store.replace(seeded + 5000, { name: 'ghost' }, ctx())).toBeUndefined();
    expect(await store.get(seeded + 5000, ctx())).toBeUndefined();
  });

  it.runIf(available)('deletes a user once: true, then false, and it is gone', async () => {
    const { user } = await store.create({ name: 'temp', email: 't@example.test' }, ctx());
    expect(await store.delete(user.id, ctx())).toBe(true);
    expect(await store.get(user.id, ctx())).toBeUndefined();
    expect(await store.delete(user.id, ctx())).toBe(false);
    expect(await store.delete(2, ctx())).toBe(true);
    expect(await store.get(2, ctx())).toBeUndefined();
    expect(await store.replace(2, { name: 'back' }, ctx())).toBeUndefined();
  });

  it.runIf(available)(
    'replays a create retried with the same Idempotency-Key, creating nothing',
    async () => {
      const key = `key-${Math.random()}`;
      const input = { name: 'once', email: 'once@example.test' };
      const first = await store.create(input, ctx(), { idempotencyKey: key });
      const again = await store.create(input, ctx(), { idempotencyKey: key });
      expect(first.replayed).toBe(false);
      expect(again).toEqual({ user: first.user, replayed: true });
      const next = await store.create(input, ctx(), { idempotencyKey: `${key}-other` });
      expect(next.replayed).toBe(false);
      expect(next.user.id).toBe(first.user.id + 1); // the replay used up no id
    },
  );

  it.runIf(available)('refuses a key reused with another body with idempotency_mismatch', async () => {
    const key = `key-${Math.random()}`;
    await store.create({ name: 'first', email: 'f@example.test' }, ctx(), { idempotencyKey: key });
    await expect(
      store.create({ name: 'second', email: 'f@example.test' }, ctx(), { idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'idempotency_mismatch' });
  });

  it.runIf(available)('creates exactly one user for concurrent creates with one key', async () => {
    const key = `key-${Math.random()}`;
    const input = { name: 'racer', email: 'racer@example.test' };
    const all = await Promise.all(
      Array.from({ length: 8 }, () => store.create(input, ctx(), { idempotencyKey: key })),
    );
    expect(new Set(all.map((c) => c.user.id)).size).toBe(1);
    expect(all.filter((c) => !c.replayed)).toHaveLength(1);
  });

  it.runIf(available)('ends a stalled call at its deadline and stays usable', async () => {
    const stalled = await harness.stalled({ queryTimeoutMs: 5000 });
    try {
      const started = performance.now();
      await expect(stalled.store.replace(stalled.id, { name: 'late' }, ctx(150))).rejects.toMatchObject({
        code: 'deadline_exceeded',
      });
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(140);
      expect(took).toBeLessThan(150 + 150);
      // db.queryTimeoutMs bounds a call whose request deadline is longer.
      const short = await harness.stalled({ queryTimeoutMs: 120 });
      try {
        await expect(short.store.replace(short.id, { name: 'late' }, ctx(5000))).rejects.toMatchObject({
          code: 'store_timeout',
        });
      } finally {
        await short.release();
      }
    } finally {
      await stalled.release();
    }
  });
});

describe.runIf(hasPostgres())('the PostgreSQL store beyond the contract', () => {
  let harness: Awaited<ReturnType<typeof postgres>>;
  beforeAll(async () => {
    harness = await postgres();
  });

  it('cancels the statement of a call cut short by its deadline', async () => {
    const stalled = await harness.stalled({ queryTimeoutMs: 5000 });
    try {
      await expect(stalled.store.replace(stalled.id, { name: 'late' }, ctx(100))).rejects.toMatchObject({
        code: 'deadline_exceeded',
      });
      // The connection was destroyed: postgres ends the waiting statement instead of running it later.
      await expect.poll(() => harness.busy(), { timeout: 3000 }).toBe(0);
    } finally {
      await stalled.release();
    }
    expect((await stalled.store.get(stalled.id, ctx()))?.name).toBe(`user-${stalled.id}`);
  });

  it('seeds 100k users in one go, once: a restart neither reseeds nor revives deleted users', async () => {
    const { url } = harness;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('DROP SCHEMA IF EXISTS loadlab CASCADE');
    } finally {
      await admin.end();
    }
    const started = performance.now();
    const store = await harness.open(100_000);
    // Row by row this takes tens of seconds; generate_series does it in well under one.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await store.get(100_000, ctx())).toEqual({
      id: 100_000,
      name: 'user-100000',
      email: 'user-100000@example.test',
    });
    expect(await store.delete(7, ctx())).toBe(true);
    const again = await harness.open(100_000);
    expect(await again.get(7, ctx())).toBeUndefined();
    expect((await again.create({ name: 'next' }, ctx())).user).toEqual({ id: 100_001, name: 'next' });
  });
});
