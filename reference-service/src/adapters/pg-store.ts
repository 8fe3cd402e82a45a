/**
 * The user store on a real PostgreSQL, through `pg.Pool` behind the same {@link PoolGate} as the
 * HTTP store (bounded queue, acquire timeout, acquire-wait metric; the gate's permits equal the
 * pool's `max`, so pg's own unbounded wait list stays empty). Every use of the pool, the key purge
 * too, holds a permit, and a call whose deadline passed keeps its permit until pg has let go of
 * its connect (at most `connectionTimeoutMs`): the caller is answered at once, the slot is not.
 *
 *   call ─▶ gate.acquire(request signal) ─▶ pool.connect() ─▶ query ─▶ release
 *             │                                  │ connectionTimeoutMs     │
 *             └────── deadline = min(remaining request deadline, db.queryTimeoutMs) ──┘
 *                     on expiry: answer at once and destroy the connection, which ends the
 *                     statement server-side (client_connection_check_interval, statement_timeout)
 *
 * Errors become the HTTP store's ServiceErrors: no connection (refused, connect timeout, database
 * starting or shutting down) → `store_unavailable` (503 at once); statement_timeout → `store_timeout`;
 * a connection lost mid-call → `store_unreachable`; anything else → `store_failed`. Errors on idle
 * connections (a database restart) are reported to `onConnectionError`, never thrown.
 */
import pg from 'pg';
import { idempotencyKeyTtlMs, type Created, type NewUser, type User, type UserStore } from '../app/users.js';
import { createDeadline, type CallContext } from '../deadline.js';
import { serviceError } from '../errors.js';
import { Attempt, classify } from './pg-call.js';
import type { DbOp, DbOutcome } from '../metrics.js';
import { ensureSchema, tables } from './pg-schema.js';
import type { PoolGate } from './pool-gate.js';
import { beginStoreCall } from './store-call.js';

export interface PgStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Connections at most (`db.pool.max`); equals the gate's permits. */
  max: number;
  /** An idle connection is closed after this, in ms (pg `idleTimeoutMillis`). */
  idleTimeoutMs: number;
  /** Longest wait to open one connection, in ms (pg `connectionTimeoutMillis`; never 0, which waits forever). */
  connectionTimeoutMs: number;
  /** Server-side cap on every statement, in ms (`statement_timeout`). */
  statementTimeoutMs: number;
  /** Deadline of one store call, in ms (`db.queryTimeoutMs`). */
  queryTimeoutMs: number;
  /** Users 1..n seeded on first start. */
  seedUsers: number;
  gate: PoolGate;
  onCall?: (op: DbOp, outcome: DbOutcome) => void;
  /** Called with errors of connections nobody is using (the database went away). */
  onConnectionError?: (err: Error) => void;
}

/** Connections of the pg pool at one instant. */
export interface PgPoolCounts {
  /** Connections open or opening. */
  total: number;
  idle: number;
  /** Callers waiting inside pg for a connection (0 while the gate does its job). */
  waiting: number;
}

/** A {@link UserStore} on PostgreSQL. */
export interface PgStore extends UserStore {
  /** Creates the schema and seeds it once; call before serving. */
  start(): Promise<void>;
  counts(): PgPoolCounts;
  /** Rejects queued callers and closes every connection. */
  close(): Promise<void>;
}

type Row = { id: string | number; name: string; email: string | null };

/** Builds a {@link PgStore}; nothing connects before `start()` or the first call. */
export function createPgStore(options: PgStoreOptions): PgStore {
  const { gate, queryTimeoutMs, onCall, onConnectionError } = options;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    application_name: 'loadlab-reference-service',
    keepAlive: true,
  });
  // Without these an error on an idle connection, or on one between two queries, crashes the process.
  pool.on('error', (err) => onConnectionError?.(err));
  pool.on('connect', (client) => client.on('error', (err) => onConnectionError?.(err)));

  /** Runs `work` on a pooled connection under the call's deadline; see the diagram above. */
  const run = async <T>(
    op: DbOp,
    ctx: CallContext,
    work: (client: pg.PoolClient) => Promise<T>,
    outcomeOf: (value: T) => DbOutcome = () => 'ok',
  ): Promise<T> => {
    const { release, deadline } = await beginStoreCall(gate, ctx, op, queryTimeoutMs, onCall);
    let outcome: DbOutcome = 'error';
    const attempt = new Attempt(pool);
    try {
      const value = await attempt.run(work, deadline.signal);
      outcome = outcomeOf(value);
      return value;
    } catch (err) {
      const wrapped = classify(err, deadline.signal, op, attempt.connected);
      if (wrapped.code === 'store_timeout' || wrapped.code === 'deadline_exceeded') outcome = 'timeout';
      else if (wrapped.code === 'store_unavailable') outcome = 'unavailable';
      else if (wrapped.code === 'idempotency_mismatch') outcome = 'ok';
      throw wrapped;
    } finally {
      deadline.dispose();
      void attempt.freed.then(release);
      onCall?.(op, outcome);
    }
  };

  const createKeyed = async (client: pg.PoolClient, input: NewUser, key: string): Promise<Created> => {
    const request = JSON.stringify({ name: input.name, email: input.email ?? null });
    await client.query('BEGIN');
    // A concurrent create with the same key waits here on the key's row until this one commits.
    const claimed = await client.query({
      name: 'loadlab-claim-key',
      text: `INSERT INTO ${tables.keys} AS k (key, request) VALUES ($1, $2::jsonb)
             ON CONFLICT (key) DO UPDATE SET request = EXCLUDED.request, response = NULL, created_at = now()
             WHERE k.created_at < now() - make_interval(secs => $3)
             RETURNING key`,
      values: [key, request, idempotencyKeyTtlMs / 1000],
    });
    if (claimed.rowCount === 1) {
      const user = toUser(await client.query(insertUser(input)));
      await client.query({
        name: 'loadlab-record-key',
        text: `UPDATE ${tables.keys} SET response = $2::jsonb WHERE key = $1`,
        values: [key, JSON.stringify(user)],
      });
      await client.query('COMMIT');
      return { user, replayed: false };
    }
    const seen = await client.query<{ same: boolean; response: User | null }>({
      name: 'loadlab-read-key',
      text: `SELECT request = $2::jsonb AS same, response FROM ${tables.keys} WHERE key = $1`,
      values: [key, request],
    });
    await client.query('COMMIT');
    const row = seen.rows[0];
    if (row === undefined || row.response === null) {
      throw serviceError('store_failed', `Idempotency-Key "${key}" has no recorded answer`);
    }
    if (!row.same) {
      throw serviceError('idempotency_mismatch', `Idempotency-Key "${key}" was first used with another body`);
    }
    return { user: row.response, replayed: true };
  };

  let lastPurge = 0;
  const purgeExpiredKeys = (): void => {
    // At most once a minute, off the request path: expired keys are already ignored by the claim.
    if (performance.now() - lastPurge < 60_000) return;
    lastPurge = performance.now();
    void (async () => {
      let release: () => void;
      try {
        release = await gate.acquire();
      } catch {
        return; // the gate is full or closed: the purge waits for the next minute
      }
      const deadline = createDeadline(queryTimeoutMs, () =>
        serviceError('store_timeout', `key purge took longer than ${queryTimeoutMs} ms`),
      );
      const attempt = new Attempt(pool);
      try {
        await attempt.run(
          (client) =>
            client.query(`DELETE FROM ${tables.keys} WHERE created_at < now() - make_interval(secs => $1)`, [
              idempotencyKeyTtlMs / 1000,
            ]),
          deadline.signal,
        );
      } catch (err) {
        onConnectionError?.(err as Error);
      } finally {
        deadline.dispose();
        void attempt.freed.then(release);
      }
    })();
  };

  return {
    async start() {
      const client = await pool.connect();
      try {
        await ensureSchema(client, options.seedUsers);
      } finally {
        client.release();
      }
    },
    get: (id, ctx) =>
      run(
        'get',
        ctx,
        async (client) =>
          toUserOrUndefined(
            await client.query({
              name: 'loadlab-get-user',
              text: `SELECT id, name, email FROM ${tables.users} WHERE id = $1`,
              values: [id],
            }),
          ),
        (user) => (user === undefined ? 'not_found' : 'ok'),
      ),
    create: (input, ctx, createOptions = {}) => {
      const key = createOptions.idempotencyKey;
      if (key === undefined) {
        return run('create', ctx, async (client) => ({
          user: toUser(await client.query(insertUser(input))),
          replayed: false,
        }));
      }
      purgeExpiredKeys();
      return run('create', ctx, (client) => createKeyed(client, input, key));
    },
    replace: (id, input, ctx) =>
      run(
        'replace',
        ctx,
        async (client) =>
          toUserOrUndefined(
            await client.query({
              name: 'loadlab-replace-user',
              text: `UPDATE ${tables.users} SET name = $2, email = $3 WHERE id = $1 RETURNING id, name, email`,
              values: [id, input.name, input.email ?? null],
            }),
          ),
        (user) => (user === undefined ? 'not_found' : 'ok'),
      ),
    delete: (id, ctx) =>
      run(
        'delete',
        ctx,
        async (client) => {
          const result = await client.query({
            name: 'loadlab-delete-user',
            text: `DELETE FROM ${tables.users} WHERE id = $1`,
            values: [id],
          });
          return result.rowCount === 1;
        },
        (deleted) => (deleted ? 'ok' : 'not_found'),
      ),
    counts: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      gate.close();
      await pool.end();
    },
  };
}

function insertUser(input: NewUser): pg.QueryConfig {
  return {
    name: 'loadlab-insert-user',
    text: `INSERT INTO ${tables.users} (name, email) VALUES ($1, $2) RETURNING id, name, email`,
    values: [input.name, input.email ?? null],
  };
}

function toUserOrUndefined(result: pg.QueryResult<Row>): User | undefined {
  const row = result.rows[0];
  if (row === undefined) return undefined;
  const user: User = { id: Number(row.id), name: row.name };
  if (row.email !== null) user.email = row.email;
  return user;
}

function toUser(result: pg.QueryResult<Row>): User {
  const user = toUserOrUndefined(result);
  if (user === undefined) throw serviceError('store_failed', 'the database returned no row for an insert');
  return user;
}
