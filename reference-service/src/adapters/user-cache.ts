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
 * - stale-while-revalidate (`staleWhileRevalidateMs` > 0): for that long past `ttlMs` an entry is
 *   still answered at once (`stale`) while a background read refreshes it (one read with
 *   single-flight on; one per stale read with it off). Older entries are misses.
 * - negative caching (`negativeTtlMs` > 0): a not-found answer is kept that long (`negative`
 *   hits); a user created meanwhile replaces it at once. With 0, not-found is never cached.
 * - disabled: every read goes to the store; nothing is counted.
 *
 *   age:  0 ──── ttlMs ──── ttlMs + staleWhileRevalidateMs ────▶
 *         hit      │ stale + background refresh  │ miss
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
  /** How long past ttlMs an entry is served while it is refreshed, in ms; 0 = off (default 0). */
  staleWhileRevalidateMs?: number;
  /** How long a not-found answer is cached, in ms; 0 = off (default 0). */
  negativeTtlMs?: number;
  /** Reads one user from the store. */
  load: (id: number, ctx: CallContext) => Promise<User | undefined>;
  onResult?: (result: CacheResult) => void;
}

/** What the cache holds for a user the store does not have. */
const notFound = Object.freeze({ notFound: true as const });
type Entry = User | typeof notFound;
const isNotFound = (entry: Entry | undefined): entry is typeof notFound => entry === notFound;

/** Builds a {@link UserCache}. */
export function createUserCache(options: UserCacheOptions): UserCache {
  const { load, onResult } = options;
  if (!options.enabled) {
    return { get: load, peek: () => undefined, put: () => undefined, invalidate: () => undefined };
  }
  return options.singleflight
    ? singleFlightCache(options, load, onResult)
    : plainCache(options, load, onResult);
}

/** Drops the entry for `id` when it may no longer be served: past its stale window, or a stale not-found. */
function dropExpired<FC>(lru: LRUCache<number, Entry, FC>, id: number, staleMs: number): void {
  const remaining = lru.getRemainingTTL(id);
  if (remaining > 0) return;
  if (remaining < -staleMs || staleMs === 0 || isNotFound(lru.peek(id, { allowStale: true }))) lru.delete(id);
}

function plainCache(
  options: UserCacheOptions,
  load: UserCacheOptions['load'],
  onResult: UserCacheOptions['onResult'],
): UserCache {
  const staleMs = options.staleWhileRevalidateMs ?? 0;
  const negativeTtlMs = options.negativeTtlMs ?? 0;
  const lru = new LRUCache<number, Entry>({
    max: options.maxEntries,
    ttl: options.ttlMs,
    allowStale: staleMs > 0,
    noDeleteOnStaleGet: true,
  });
  const fill = (id: number, user: User | undefined): void => {
    if (user !== undefined) lru.set(id, user);
    else if (negativeTtlMs > 0) lru.set(id, notFound, { ttl: negativeTtlMs });
  };
  return {
    async get(id, ctx) {
      dropExpired(lru, id, staleMs);
      const status: LRUCache.Status<number, Entry> = {};
      const cached = lru.get(id, { status });
      if (cached !== undefined) {
        if (status.get === 'stale') {
          onResult?.('stale');
          // Refresh in the background, under no caller's deadline: the store call's own applies.
          load(id, { signal: new AbortController().signal, at: Number.POSITIVE_INFINITY }).then(
            (user) => fill(id, user),
            () => undefined, // the stale entry stays until its window ends; the next read retries
          );
        } else {
          onResult?.(isNotFound(cached) ? 'negative' : 'hit');
        }
        return isNotFound(cached) ? undefined : cached;
      }
      onResult?.('miss');
      const user = await load(id, ctx);
      fill(id, user);
      return user;
    },
    peek: (id) => peekHit(lru, id, onResult),
    put: (user) => void lru.set(user.id, user),
    invalidate: (id) => void lru.delete(id),
  };
}

function singleFlightCache(
  options: UserCacheOptions,
  load: UserCacheOptions['load'],
  onResult: UserCacheOptions['onResult'],
): UserCache {
  const staleMs = options.staleWhileRevalidateMs ?? 0;
  const negativeTtlMs = options.negativeTtlMs ?? 0;
  // The shared read of each key being loaded; a caller that joins a load finds it here.
  const flights = new Map<number, Flight>();
  const lru = new LRUCache<number, Entry, Flight>({
    max: options.maxEntries,
    ttl: options.ttlMs,
    allowStale: staleMs > 0,
    noDeleteOnStaleGet: true,
    fetchMethod: (id, _stale, { context, options: fetchOptions }) =>
      load(id, context)
        .then((user): Entry | undefined => {
          if (user !== undefined) return user;
          if (negativeTtlMs === 0) return undefined;
          fetchOptions.ttl = negativeTtlMs;
          return notFound;
        })
        .finally(() => {
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
      else dropExpired(lru, id, staleMs);
      const status: LRUCache.Status<number, Entry, Flight> = {};
      const fresh = new Flight();
      const pending = lru.fetch(id, { context: fresh, status });
      // fetch() sets status synchronously, before its first await.
      const result = classify(status);
      // A hit is told from a negative hit by its value, once fetch() hands it over.
      if (result !== 'hit') onResult?.(result);
      let flight: Flight | undefined;
      if (result === 'miss') {
        flight = fresh;
        flights.set(id, flight);
      } else if (result === 'coalesced') {
        flight = flights.get(id);
      }
      try {
        const entry = await (flight === undefined ? pending : flight.wait(pending, ctx.signal));
        if (result === 'hit') onResult?.(isNotFound(entry) ? 'negative' : 'hit');
        return isNotFound(entry) ? undefined : entry;
      } catch (err) {
        // Loads only throw ServiceErrors; anything else is the cache dropping a not-found load
        // whose entry was evicted or replaced mid-flight. Read the store directly instead.
        if (isServiceError(err)) throw err;
        return load(id, ctx);
      }
    },
    // A load every caller gave up on makes get() start afresh (a miss), whatever the cache holds.
    peek: (id) => (flights.get(id)?.aborted === true ? undefined : peekHit(lru, id, onResult)),
    put: (user) => void lru.set(user.id, user),
    invalidate: (id) => void lru.delete(id),
  };
}

// One status object for every peek: it is read only within the synchronous call.
const peekStatus: LRUCache.Status<number, Entry, never> = {};

/**
 * The cached user when the entry is fresh and no load of it is pending (lru-cache's `get` status
 * `hit`, which `fetch()` also answers at once as a hit, moving the entry to the most recently used
 * end as `get` does), counted as `hit`. Anything else (absent, stale, loading, a cached not-found)
 * is left to `get`: undefined, nothing counted; `get` on an absent or stale entry changes nothing
 * with `noDeleteOnStaleGet`.
 */
function peekHit<FC>(
  lru: LRUCache<number, Entry, FC>,
  id: number,
  onResult: UserCacheOptions['onResult'],
): User | undefined {
  peekStatus.get = undefined;
  const entry = lru.get(id, { status: peekStatus as LRUCache.Status<number, Entry, FC> });
  if (peekStatus.get !== 'hit' || entry === undefined || isNotFound(entry)) return undefined;
  onResult?.('hit');
  return entry;
}

/** How `fetch()` answered, from the status it filled in. */
function classify(status: LRUCache.Status<number, Entry, Flight>): CacheResult {
  if (status.returnedStale === true) return 'stale';
  if (status.fetch === 'hit') return 'hit';
  if (status.fetch === 'inflight') return 'coalesced';
  // 'miss', or an entry that went stale between dropExpired() and fetch() with no stale window.
  return 'miss';
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
