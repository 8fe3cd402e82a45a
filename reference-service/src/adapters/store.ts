/**
 * Picks the user store from the URL the service is given: `http(s)://` is the simulated database
 * over HTTP (adapters/db-client.ts), `postgres(ql)://` a real PostgreSQL (adapters/pg-store.ts).
 * Both sit behind the same pool gate, honour the same knobs and fail with the same ServiceErrors.
 */
import type { UserStore } from '../app/users.js';
import type { ServiceConfig } from '../../../protocol/index.js';
import type { DbOp, DbOutcome } from '../metrics.js';
import { createDbClient } from './db-client.js';
import { createPgStore, type PgPoolCounts } from './pg-store.js';
import type { PoolGate } from './pool-gate.js';

/** Which implementation a store URL selects. */
export type StoreKind = 'simulated' | 'postgres';

/** A user store with a life cycle. */
export interface Store extends UserStore {
  readonly kind: StoreKind;
  /** Prepares the store before the service serves (PostgreSQL: schema and seed). */
  start(): Promise<void>;
  /** The PostgreSQL pool's own connections; undefined for the HTTP store. */
  connections(): PgPoolCounts | undefined;
  /** Rejects queued callers and drops every connection. */
  close(): Promise<void>;
}

export interface StoreDeps {
  gate: PoolGate;
  onCall?: (op: DbOp, outcome: DbOutcome) => void;
  /** Errors of idle PostgreSQL connections (the database restarted); never thrown. */
  onConnectionError?: (err: Error) => void;
}

/** The kind of store `url` selects (its scheme). */
export function storeKindOf(url: string): StoreKind {
  const scheme = new URL(url).protocol;
  return scheme === 'postgres:' || scheme === 'postgresql:' ? 'postgres' : 'simulated';
}

/** Builds the store the config's `dbUrl` names. */
export function createStore(config: ServiceConfig, deps: StoreDeps): Store {
  const { db } = config.knobs;
  if (storeKindOf(config.dbUrl) === 'postgres') {
    const pg = createPgStore({
      url: config.dbUrl,
      max: db.pool.max,
      idleTimeoutMs: db.postgres.idleTimeoutMs,
      connectionTimeoutMs: db.postgres.connectionTimeoutMs,
      statementTimeoutMs: db.postgres.statementTimeoutMs ?? db.queryTimeoutMs,
      queryTimeoutMs: db.queryTimeoutMs,
      seedUsers: config.dbUsers,
      ...deps,
    });
    return { ...pg, kind: 'postgres', connections: pg.counts };
  }
  const http = createDbClient({
    dbUrl: config.dbUrl,
    connections: db.pool.max,
    queryTimeoutMs: db.queryTimeoutMs,
    gate: deps.gate,
    onCall: deps.onCall,
  });
  return { ...http, kind: 'simulated', start: async () => undefined, connections: () => undefined };
}
