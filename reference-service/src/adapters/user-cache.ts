/**
 * Cache-aside in front of the store, with lru-cache: `maxEntries` users, each served for `ttlMs`.
 *
 * - single-flight on: reads go through `fetch()`, so concurrent misses for one key share one
 *   store read; the others count as `coalesced`. The shared read belongs to no single caller:
 *   each caller waits for it under its own deadline, and the read is aborted only once every
 *   caller waiting for it has given up (its own store-call deadline, `db.queryTimeoutMs`, still
 *   applies). Under the first caller's deadline instead, that caller's timeout would fail
 *   every request that joined it later with a 504, long before their own deadlines.
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
  // The shared read of each key being loaded; a caller that joins a load finds it here.
  const flights = new Map<number, Flight>();
  const lru = new LRUCache<number, User, Flight>({
    max: options.maxEntries,
    ttl: options.ttlMs,
    fetchMethod: (id, _stale, { context }) =>
      load(id, context).finally(() => {
        if (flights.get(id) === context) flights.delete(id);
      }),
    // The cache aborts a load whose entry is evicted or replaced (by a write) while in flight.
    // Let it finish instead: its callers still get the user they asked for, and a late load
    // never overwrites the newer entry.
    ignoreFetchAbort: true,
  });
  return {
    async get(id, ctx) {
      // A load every caller gave up on is about to fail with someone else's deadline: start afresh.
      if (flights.get(id)?.aborted === true) lru.delete(id);
      const status: LRUCache.Status<number, User, Flight> = {};
      const fresh = new Flight();
      const pending = lru.fetch(id, { context: fresh, status });
      // fetch() sets status.fetch synchronously, before its first await.
      const result = status.fetch === 'hit' ? 'hit' : status.fetch === 'inflight' ? 'coalesced' : 'miss';
      onResult?.(result);
      let flight: Flight | undefined;
      if (result === 'miss') {
        flight = fresh;
        flights.set(id, flight);
      } else if (result === 'coalesced') {
        flight = flights.get(id);
      }
      try {
        return await (flight === undefined ? pending : flight.wait(pending, ctx.signal));
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

/**
 * The context of one shared load: no deadline of its own (the store call's `db.queryTimeoutMs`
 * bounds it), aborted with the reason of the last caller to give up once none is waiting.
 */
class Flight implements CallContext {
  readonly at = Number.POSITIVE_INFINITY;
  #controller: AbortController | undefined;
  #waiting = 0;

  // Made on first use: a cache hit builds a Flight that nothing reads.
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** True once every caller has given up on this load. */
  get aborted(): boolean {
    return this.#controller?.signal.aborted === true;
  }

  /**
   * Waits for `pending` until it settles or `signal` aborts, whichever comes first. `pending` is
   * always subscribed to, so a load nobody waits for any more never rejects unhandled.
   */
  wait<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
    this.#waiting++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting--;
        if (this.#waiting === 0) this.#controller?.abort(signal.reason);
        reject(signal.reason as Error);
      };
      pending.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err as Error);
        },
      );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
