/**
 * The service's use cases: read a user (cache-aside in front of the store), create one (at most
 * once per Idempotency-Key), replace one and delete one. They know nothing of HTTP; each takes
 * the request's deadline and throws ServiceErrors. Every write updates or invalidates the cache,
 * so a read after a write sees it.
 */
import { z } from 'zod';
import type { CallContext } from '../deadline.js';

/** A user as the store keeps it. */
export interface User {
  id: number;
  name: string;
  email?: string;
}

/** The body of `POST /users` and `PUT /users/:id`: a name of 1..100 characters, an optional email (3..320, as the store accepts), nothing else. */
export const newUserSchema = z.strictObject({
  name: z.string().min(1).max(100),
  email: z.string().min(3).max(320).optional(),
});

export type NewUser = z.output<typeof newUserSchema>;

/** An `Idempotency-Key`: 1..255 printable ASCII characters (the IETF draft leaves the format to the server). */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/);

/** How long a store remembers an Idempotency-Key and the answer to its first request: 24 h. */
export const idempotencyKeyTtlMs = 86_400_000;

/** What a create returned: the user, and whether it is the replayed answer to an earlier request with the same key. */
export interface Created {
  user: User;
  /** True when an earlier create with the same Idempotency-Key made this user; nothing new was stored. */
  replayed: boolean;
}

/** Options of a create. */
export interface CreateOptions {
  /**
   * The client's Idempotency-Key: a create retried with the same key and body returns the first
   * result; with another body it fails with `idempotency_mismatch` (kept {@link idempotencyKeyTtlMs}).
   */
  idempotencyKey?: string;
}

/**
 * The store of users (a port). Implementations: adapters/db-client.ts (the simulated database
 * over HTTP) and adapters/pg-store.ts (PostgreSQL); test/integration/store-contract.test.ts holds
 * both to the same behaviour.
 */
export interface UserStore {
  /** The user, or undefined when the store has none with this id. */
  get(id: number, ctx: CallContext): Promise<User | undefined>;
  /** Stores a new user under a fresh id. */
  create(input: NewUser, ctx: CallContext, options?: CreateOptions): Promise<Created>;
  /** Replaces the user with `id` (an email left out is removed); undefined when there is none. */
  replace(id: number, input: NewUser, ctx: CallContext): Promise<User | undefined>;
  /** Deletes the user with `id`; false when there was none. */
  delete(id: number, ctx: CallContext): Promise<boolean>;
}

/** A read-through cache of users (a port; adapters/user-cache.ts implements it). */
export interface UserCache {
  /** Reads through the cache; a miss loads from the store. */
  get(id: number, ctx: CallContext): Promise<User | undefined>;
  /**
   * The user when `get` would answer it as a plain `hit` (fresh, no load pending), counted as
   * `get` counts it; otherwise undefined, with nothing counted and nothing changed, and the
   * caller goes through `get`. Synchronous: the cache-hit path answers without a promise.
   */
  peek(id: number): User | undefined;
  /** Puts a user just written, so the next read is a hit. */
  put(user: User): void;
  /** Forgets what is cached for `id` (a user just deleted). */
  invalidate(id: number): void;
}

/** The use cases the HTTP routes call. */
export interface Users {
  get(id: number, ctx: CallContext): Promise<User | undefined>;
  /** A cached user served at once, or undefined: then call `get` (see {@link UserCache.peek}). */
  peek(id: number): User | undefined;
  create(input: NewUser, ctx: CallContext, options?: CreateOptions): Promise<Created>;
  replace(id: number, input: NewUser, ctx: CallContext): Promise<User | undefined>;
  delete(id: number, ctx: CallContext): Promise<boolean>;
}

/** Builds the use cases over a store and a cache that reads through to the same store. */
export function createUsers(deps: { store: UserStore; cache: UserCache }): Users {
  const { store, cache } = deps;
  return {
    get: (id, ctx) => cache.get(id, ctx),
    peek: (id) => cache.peek(id),
    async create(input, ctx, options) {
      const created = await store.create(input, ctx, options);
      // A replay may return a user changed or deleted since: the cache keeps what the store has.
      if (!created.replayed) cache.put(created.user);
      return created;
    },
    async replace(id, input, ctx) {
      try {
        const user = await store.replace(id, input, ctx);
        if (user === undefined) cache.invalidate(id);
        else cache.put(user);
        return user;
      } catch (err) {
        // The write may or may not have happened: the next read goes to the store.
        cache.invalidate(id);
        throw err;
      }
    },
    async delete(id, ctx) {
      try {
        return await store.delete(id, ctx);
      } finally {
        cache.invalidate(id);
      }
    },
  };
}
