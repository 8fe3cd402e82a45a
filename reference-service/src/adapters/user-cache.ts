/**
 * Cache-aside in front of the store, with lru-cache: `maxEntries` users, each served for `ttlMs`.
 *
 * - single-flight on: reads go through `fetch()`, so concurrent misses for one key share one
 *   store read (the first caller's load, under the first caller's deadline); the others count
 *   as `coalesced`.
 * - single-flight off: each miss reads the store itself, then fills the cache.
 * - disabled: every read goes to the store; nothing is counted as hit or miss.
 *
 * Not-found is not cached: a user created later is visible at once.
 */
import { LRUCache } from 'lru-cache';
import type { User, UserCache } from '../app/users.js';
import type { CallContext } from '../deadline.js';
import { isServiceError } from '../errors.js';
import type { CacheResult } from '../metrics.js';

export interface UserCacheOptions {
  enabled: boolean;
  /** Users kept; the least recently used is evicted first. */
  maxEntries: number;
  /** How long an entry is served, in ms; 0 keeps entries until evicted. */
  ttlMs: number;
  singleflight: boolean;
  /** Reads one user from the store. */
  load: (id: number, ctx: CallContext) => Promise<User | undefined>;
  onResult?: (result: CacheResult) => void;
}

/** Builds a {@link UserCache}. */
export function createUserCache(options: UserCacheOptions): UserCache {
  const { load, onResult } = options;
  if (!options.enabled) return { get: load, put: () => undefined };
  return options.singleflight
    ? singleFlightCache(options, load, onResult)
    : plainCache(options, load, onResult);
}

function plainCache(
  options: UserCacheOptions,
  load: UserCacheOptions['load'],
  onResult: UserCacheOptions['onResult'],
): UserCache {
  const lru = new LRUCache<number, User>({ max: options.maxEntries, ttl: options.ttlMs });
  return {
    async get(id, ctx) {
      const cached = lru.get(id);
      if (cached !== undefined) {
        onResult?.('hit');
        return cached;
      }
      onResult?.('miss');
      const user = await load(id, ctx);
      if (user !== undefined) lru.set(id, user);
      return user;
    },
    put: (user) => void lru.set(user.id, user),
  };
}

function singleFlightCache(
  options: UserCacheOptions,
  load: UserCacheOptions['load'],
  onResult: UserCacheOptions['onResult'],
): UserCache {
  const lru = new LRUCache<number, User, CallContext>({
    max: options.maxEntries,
    ttl: options.ttlMs,
    fetchMethod: (id, _stale, { context }) => load(id, context),
    // The cache aborts a load whose entry is evicted or replaced (by a write) while in flight.
    // Let it finish instead: its callers still get the user they asked for, and a late load
    // never overwrites the newer entry.
    ignoreFetchAbort: true,
  });
  return {
    async get(id, ctx) {
      const status: LRUCache.Status<number, User, CallContext> = {};
      const pending = lru.fetch(id, { context: ctx, status });
      // fetch() sets status.fetch synchronously, before its first await.
      onResult?.(status.fetch === 'hit' ? 'hit' : status.fetch === 'inflight' ? 'coalesced' : 'miss');
      try {
        return await pending;
      } catch (err) {
        // Loads only throw ServiceErrors; anything else is the cache dropping a not-found load
        // whose entry was evicted or replaced mid-flight. Read the store directly instead.
        if (isServiceError(err)) throw err;
        return load(id, ctx);
      }
    },
    put: (user) => void lru.set(user.id, user),
  };
}
