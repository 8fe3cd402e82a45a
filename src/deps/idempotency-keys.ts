/**
 * The simulated database's memory of Idempotency-Keys: for each key, the request it came with and
 * the answer it got, kept `ttlMs` and at most `maxKeys` (the oldest forgotten first), so a
 * retried create is answered from here instead of creating a second user.
 */

/** What a key remembers. */
export interface KeyRecord<T> {
  /** The first request's body, canonicalised: a retry must match it exactly. */
  request: string;
  /** The first request's answer. */
  answer: T;
}

export interface IdempotencyKeys<T> {
  /** The live record for `key`, or undefined (never seen, or expired). */
  get(key: string): KeyRecord<T> | undefined;
  /** Remembers `record` under `key` from now on. */
  set(key: string, record: KeyRecord<T>): void;
  /** Keys held now (expired ones not yet dropped included). */
  size(): number;
}

export interface IdempotencyKeysOptions {
  /** How long a key is remembered, in ms. */
  ttlMs: number;
  /** Keys held at most; past it the oldest is dropped. */
  maxKeys: number;
  /** Current time in ms (injected so tests control it). */
  now: () => number;
}

/** Builds an {@link IdempotencyKeys} store bounded in time and count. */
export function createIdempotencyKeys<T>(options: IdempotencyKeysOptions): IdempotencyKeys<T> {
  const { ttlMs, maxKeys, now } = options;
  // Insertion order is expiry order: every key lives exactly ttlMs from when it was set.
  const entries = new Map<string, KeyRecord<T> & { at: number }>();
  const dropExpired = (): void => {
    const cutoff = now() - ttlMs;
    for (const [key, entry] of entries) {
      if (entry.at > cutoff) break;
      entries.delete(key);
    }
  };
  return {
    get(key) {
      dropExpired();
      const entry = entries.get(key);
      return entry === undefined ? undefined : { request: entry.request, answer: entry.answer };
    },
    set(key, record) {
      dropExpired();
      entries.delete(key);
      entries.set(key, { ...record, at: now() });
      while (entries.size > maxKeys) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    size: () => entries.size,
  };
}
