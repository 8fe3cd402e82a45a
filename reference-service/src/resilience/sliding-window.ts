/**
 * Counts over a sliding time window, in fixed buckets: the window's total is the sum of the
 * buckets younger than `windowMs`, so it forgets old events bucket by bucket instead of all at
 * once. Shared by the retry budget and the circuit breaker.
 *
 *   now ──▶ | b0 | b1 | ... | b(n-1) |   each bucket windowMs / n wide; the oldest is reused
 */

/** A clock in milliseconds (monotonic; `performance.now()` in production, a fake in tests). */
export type Clock = () => number;

/** Counters over the last `windowMs`; `K` names the counters. */
export class SlidingWindow<K extends string> {
  readonly #bucketMs: number;
  readonly #now: Clock;
  readonly #keys: readonly K[];
  // Ring of buckets: the start time of each, and one count per key.
  readonly #starts: number[];
  readonly #counts: Record<K, number>[];

  /** `windowMs` wide, in `buckets` steps (default 10). */
  constructor(keys: readonly K[], windowMs: number, now: Clock, buckets = 10) {
    this.#keys = keys;
    this.#bucketMs = Math.max(1, windowMs / buckets);
    this.#now = now;
    this.#starts = Array.from({ length: buckets }, () => Number.NEGATIVE_INFINITY);
    this.#counts = Array.from({ length: buckets }, () => this.#zero());
  }

  /** Adds `n` (default 1) to counter `key` now. */
  add(key: K, n = 1): void {
    this.#current()[key] += n;
  }

  /** Each counter summed over the window. */
  totals(): Record<K, number> {
    const oldest = Math.floor(this.#now() / this.#bucketMs) - this.#starts.length;
    const sum = this.#zero();
    this.#counts.forEach((bucket, i) => {
      // A bucket last used a whole window ago or more has slid out, though not yet reused.
      if ((this.#starts[i] as number) <= oldest) return;
      for (const key of this.#keys) sum[key] += bucket[key];
    });
    return sum;
  }

  /** Forgets everything. */
  reset(): void {
    this.#starts.fill(Number.NEGATIVE_INFINITY);
    for (const bucket of this.#counts) for (const key of this.#keys) bucket[key] = 0;
  }

  /** The bucket for now, clearing buckets that have slid out of the window. */
  #current(): Record<K, number> {
    const slot = Math.floor(this.#now() / this.#bucketMs);
    const index = ((slot % this.#starts.length) + this.#starts.length) % this.#starts.length;
    if (this.#starts[index] !== slot) {
      this.#starts[index] = slot;
      const bucket = this.#counts[index] as Record<K, number>;
      for (const key of this.#keys) bucket[key] = 0;
    }
    return this.#counts[index] as Record<K, number>;
  }

  #zero(): Record<K, number> {
    const counts = {} as Record<K, number>;
    for (const key of this.#keys) counts[key] = 0;
    return counts;
  }
}
