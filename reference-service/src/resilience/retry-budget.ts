/**
 * A retry budget: retries are allowed while they stay within `ratio` x the calls made over the
 * last `windowMs`, plus `minRetries` (so a quiet service can still retry at all). When a
 * dependency fails hard, retries then add at most `ratio` to its load instead of multiplying it
 * by the attempt count (the retry storm). cockatiel has none built in; this is Finagle's
 * RetryBudget idea over a bucketed sliding window.
 *
 *   tryRetry(): retries(window) + 1 <= ratio x calls(window) + minRetries ? spend : refuse
 */
import { SlidingWindow, type Clock } from './sliding-window.js';

export interface RetryBudgetOptions {
  /** Retries allowed per call made (0.1 = one retry per ten calls). */
  ratio: number;
  /** Retries always allowed per window on top of the ratio (default 10). */
  minRetries?: number;
  /** Width of the sliding window in ms (default 10000). */
  windowMs?: number;
  now: Clock;
}

/** Counts calls and hands out retries within the budget. */
export interface RetryBudget {
  /** Records one call (a first attempt). */
  recordCall(): void;
  /** Spends one retry and returns true, or returns false when the budget is spent. */
  tryRetry(): boolean;
  /** Calls and retries over the current window. */
  totals(): { calls: number; retries: number };
}

/** Builds a {@link RetryBudget}. */
export function createRetryBudget(options: RetryBudgetOptions): RetryBudget {
  const { ratio, minRetries = 10, windowMs = 10_000, now } = options;
  const window = new SlidingWindow(['calls', 'retries'] as const, windowMs, now);
  return {
    recordCall: () => window.add('calls'),
    tryRetry() {
      const { calls, retries } = window.totals();
      if (retries + 1 > ratio * calls + minRetries) return false;
      window.add('retries');
      return true;
    },
    totals: () => window.totals(),
  };
}
