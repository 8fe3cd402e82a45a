/**
 * Exponential backoff with optional full jitter (AWS architecture blog, "Exponential Backoff
 * and Jitter"), drawn from the service's seeded random source: the wait before retry n is drawn
 * from [0, base x 2^(n-1)), capped, so clients that failed together do not retry together.
 * cockatiel's own jitter generators call Math.random, which a seeded run cannot reproduce; its
 * retry policy takes these draws through a DelegateBackoff (see adapters/recs-client.ts).
 */

/** full: uniform in [0, exponential); none: the exponential value itself. */
export type Jitter = 'full' | 'none';

export interface BackoffOptions {
  /** Wait before the first retry, before jitter, in ms. */
  baseMs: number;
  jitter: Jitter;
  /** Longest wait, in ms (default 1000). */
  maxMs?: number;
  /** Uniform random in [0, 1) (seeded in tests). */
  random: () => number;
}

/** Returns the wait in ms before retry `n` (1 for the first retry). */
export function createBackoff(options: BackoffOptions): (n: number) => number {
  const { baseMs, jitter, maxMs = 1000, random } = options;
  return (n) => {
    const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1));
    return jitter === 'full' ? random() * exponential : exponential;
  };
}
