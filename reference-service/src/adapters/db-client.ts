/**
 * The user store over HTTP (the simulated database, or the fault proxy in front of it), through
 * an undici Pool gated by a {@link PoolGate}. Every call runs under its own deadline,
 * min(remaining request deadline, `db.queryTimeoutMs`), and ends in a user, `undefined` (not
 * found) or a ServiceError; no other error escapes.
 */
import { Pool } from 'undici';
import type { NewUser, User, UserStore } from '../app/users.js';
import { createDeadline, remainingMs, type CallContext } from '../deadline.js';
import { isServiceError, serviceError, type ServiceError } from '../errors.js';
import type { DbOp, DbOutcome } from '../metrics.js';
import type { PoolGate } from './pool-gate.js';

export interface DbClientOptions {
  /** Base URL of the store, e.g. http://127.0.0.1:5432 (a path prefix is kept). */
  dbUrl: string;
  /** Connections in the pool; equals the gate's permits. */
  connections: number;
  /** Deadline of one store call, in ms. */
  queryTimeoutMs: number;
  gate: PoolGate;
  /** Called once per call with how it ended. */
  onCall?: (op: DbOp, outcome: DbOutcome) => void;
}

/** A {@link UserStore} that can be closed. */
export interface DbClient extends UserStore {
  /** Rejects queued callers and drops every connection at once. */
  close(): Promise<void>;
}

interface Call {
  op: DbOp;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

// undici's own timeouts are a backstop behind the per-call signal, which normally fires first.
const backstopSlackMs = 1000;
const undiciTimeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Builds a {@link DbClient}. */
export function createDbClient(options: DbClientOptions): DbClient {
  const { gate, queryTimeoutMs, onCall } = options;
  const base = new URL(options.dbUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections,
    headersTimeout: queryTimeoutMs + backstopSlackMs,
    bodyTimeout: queryTimeoutMs + backstopSlackMs,
    connectTimeout: queryTimeoutMs + backstopSlackMs,
    keepAliveTimeout: 4000,
  });

  const call = async (spec: Call, ctx: CallContext): Promise<User | undefined> => {
    let outcome: DbOutcome = 'error';
    let release: (() => void) | undefined;
    try {
      release = await gate.acquire(ctx.signal);
    } catch (err) {
      onCall?.(spec.op, isServiceError(err, 'deadline_exceeded') ? 'timeout' : 'rejected');
      throw err;
    }
    const remaining = remainingMs(ctx);
    const deadline = createDeadline(
      Math.min(remaining, queryTimeoutMs),
      () =>
        remaining < queryTimeoutMs
          ? serviceError('deadline_exceeded', 'the request deadline passed during a store call')
          : serviceError('store_timeout', `store call took longer than ${queryTimeoutMs} ms`),
      ctx.signal,
    );
    try {
      const res = await pool.request({
        path: prefix + spec.path,
        method: spec.method,
        headers: spec.body === undefined ? {} : { 'content-type': 'application/json' },
        body: spec.body,
        signal: deadline.signal,
      });
      if (res.statusCode === 404 && spec.op === 'get') {
        await res.body.dump();
        outcome = 'not_found';
        return undefined;
      }
      if (res.statusCode !== 200 && res.statusCode !== 201) {
        await res.body.dump();
        throw serviceError('store_failed', `store answered ${res.statusCode} to ${spec.method} ${spec.path}`);
      }
      const data = await res.body.json().catch((err: unknown) => {
        throw serviceError(
          'store_failed',
          `store sent a body that is not JSON to ${spec.method} ${spec.path}`,
          err,
        );
      });
      const user = asUser(data, `${spec.method} ${spec.path}`);
      outcome = 'ok';
      return user;
    } catch (err) {
      const wrapped = classify(err, deadline.signal, spec);
      if (wrapped.code === 'store_timeout' || wrapped.code === 'deadline_exceeded') outcome = 'timeout';
      throw wrapped;
    } finally {
      deadline.dispose();
      release();
      onCall?.(spec.op, outcome);
    }
  };

  return {
    get: (id, ctx) => call({ op: 'get', method: 'GET', path: `/users/${id}` }, ctx),
    async create(input: NewUser, ctx) {
      const body = JSON.stringify({ name: input.name, email: input.email });
      const user = await call({ op: 'create', method: 'POST', path: '/users', body }, ctx);
      if (user === undefined) throw serviceError('store_failed', 'store created no user');
      return user;
    },
    async close() {
      gate.close();
      await pool.destroy();
    },
  };
}

/** Turns whatever a call threw into a ServiceError, preferring the deadline's own reason. */
function classify(err: unknown, signal: AbortSignal, spec: Call): ServiceError {
  if (signal.aborted && isServiceError(signal.reason)) return signal.reason;
  if (isServiceError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && undiciTimeoutCodes.has(code)) {
    return serviceError('store_timeout', `store call ${spec.method} ${spec.path} timed out (${code})`, err);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return serviceError('store_unreachable', `store call ${spec.method} ${spec.path} failed: ${detail}`, err);
}

/** Checks the store's answer by hand: a zod parse per call would cost more than the call. */
function asUser(data: unknown, what: string): User {
  const raw = data as { id?: unknown; name?: unknown; email?: unknown } | null;
  if (
    typeof raw !== 'object' ||
    raw === null ||
    !Number.isSafeInteger(raw.id) ||
    typeof raw.name !== 'string'
  ) {
    throw serviceError('store_failed', `store answered ${what} with a body that is not a user`);
  }
  const user: User = { id: raw.id as number, name: raw.name };
  if (typeof raw.email === 'string') user.email = raw.email;
  return user;
}
