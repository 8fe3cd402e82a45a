/**
 * The user store over HTTP (the simulated database, or the fault proxy in front of it), through
 * an undici Pool gated by a {@link PoolGate}. Every call runs under its own deadline,
 * min(remaining request deadline, `db.queryTimeoutMs`), and ends in an answer, not-found or a
 * ServiceError; no other error escapes. A connection that cannot be made (refused, connect
 * timeout) is `store_unavailable` (503 at once); one that breaks mid-call is `store_unreachable`.
 */
import { Pool } from 'undici';
import type { Created, NewUser, User, UserStore } from '../app/users.js';
import type { CallContext } from '../deadline.js';
import { isServiceError, serviceError, type ServiceError } from '../errors.js';
import type { DbOp, DbOutcome } from '../metrics.js';
import type { PoolGate } from './pool-gate.js';
import { beginStoreCall } from './store-call.js';

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
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
  idempotencyKey?: string;
}

/** What the store answered: its status and, unless 204 or 404, a user. */
interface Answer {
  status: number;
  user: User | undefined;
}

// undici's own timeouts are a backstop behind the per-call signal, which normally fires first.
const backstopSlackMs = 1000;
const undiciTimeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Errors meaning no connection could be made: the store is down, not slow. */
const connectFailureCodes = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Statuses each call accepts; anything else is `store_failed`. */
const accepted: Record<DbOp, readonly number[]> = {
  get: [200, 404],
  create: [200, 201, 422],
  replace: [200, 404],
  delete: [204, 404],
};

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

  const call = async (spec: Call, ctx: CallContext): Promise<Answer> => {
    let outcome: DbOutcome = 'error';
    const { release, deadline } = await beginStoreCall(gate, ctx, spec.op, queryTimeoutMs, onCall);
    try {
      const headers: Record<string, string> = {};
      if (spec.body !== undefined) headers['content-type'] = 'application/json';
      if (spec.idempotencyKey !== undefined) headers['idempotency-key'] = spec.idempotencyKey;
      const res = await pool.request({
        path: prefix + spec.path,
        method: spec.method,
        headers,
        body: spec.body,
        signal: deadline.signal,
      });
      const status = res.statusCode;
      if (!accepted[spec.op].includes(status)) {
        await res.body.dump();
        throw serviceError('store_failed', `store answered ${status} to ${spec.method} ${spec.path}`);
      }
      if (status === 404 || status === 204) {
        await res.body.dump();
        outcome = status === 404 ? 'not_found' : 'ok';
        return { status, user: undefined };
      }
      if (status === 422) {
        await res.body.dump();
        outcome = 'ok';
        throw serviceError(
          'idempotency_mismatch',
          `Idempotency-Key "${spec.idempotencyKey ?? ''}" was first used with another body`,
        );
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
      return { status, user };
    } catch (err) {
      if (isServiceError(err, 'idempotency_mismatch')) throw err;
      const wrapped = classify(err, deadline.signal, spec);
      if (wrapped.code === 'store_timeout' || wrapped.code === 'deadline_exceeded') outcome = 'timeout';
      else if (wrapped.code === 'store_unavailable') outcome = 'unavailable';
      throw wrapped;
    } finally {
      deadline.dispose();
      release();
      onCall?.(spec.op, outcome);
    }
  };

  return {
    get: async (id, ctx) => (await call({ op: 'get', method: 'GET', path: `/users/${id}` }, ctx)).user,
    async create(input: NewUser, ctx, options = {}): Promise<Created> {
      const body = JSON.stringify({ name: input.name, email: input.email });
      const { idempotencyKey } = options;
      const answer = await call({ op: 'create', method: 'POST', path: '/users', body, idempotencyKey }, ctx);
      if (answer.user === undefined) throw serviceError('store_failed', 'store created no user');
      // The simulated database answers a replayed key 200 instead of 201.
      return { user: answer.user, replayed: idempotencyKey !== undefined && answer.status === 200 };
    },
    async replace(id, input, ctx) {
      const body = JSON.stringify({ name: input.name, email: input.email });
      return (await call({ op: 'replace', method: 'PUT', path: `/users/${id}`, body }, ctx)).user;
    },
    async delete(id, ctx) {
      return (await call({ op: 'delete', method: 'DELETE', path: `/users/${id}` }, ctx)).status === 204;
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
  if (typeof code === 'string' && connectFailureCodes.has(code)) {
    return serviceError(
      'store_unavailable',
      `store is down: ${spec.method} ${spec.path} could not connect (${code})`,
      err,
    );
  }
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
