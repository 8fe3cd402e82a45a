/**
 * A sampling circuit breaker (cockatiel's SamplingBreaker, in small): it opens when, over the
 * last `windowMs`, at least `minRequests` calls were made and `failureRatio` of them failed.
 * Open, it fails calls at once; after `halfOpenAfterMs` it lets one trial call through
 * (half-open): a success closes it, a failure opens it again.
 *
 *   closed ──failures/calls >= ratio and calls >= min──▶ open ──halfOpenAfterMs──▶ half-open
 *     ▲                                                   ▲                           │
 *     └───────────────── trial succeeded ─────────────────┼───── trial failed ────────┘
 */
import { SlidingWindow, type Clock } from './sliding-window.js';

/** Where the breaker stands; `recs_breaker_state` exports it as 0, 1, 2 in this order. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The numeric value of each state in the `recs_breaker_state` gauge. */
export const breakerStateValue: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  open: 1,
  'half-open': 2,
};

export interface CircuitBreakerOptions {
  /** Share of failed calls (0..1] that opens the breaker. */
  failureRatio: number;
  /** Calls needed in the window before the ratio counts. */
  minRequests: number;
  /** Time open before a trial call is let through, in ms. */
  halfOpenAfterMs: number;
  /** Width of the sampling window in ms (default 10000). */
  windowMs?: number;
  now: Clock;
  /** Called on every change of state. */
  onStateChange?: (to: BreakerState) => void;
}

/** The outcome of a call let through: report it exactly once. */
export interface BreakerTicket {
  success(): void;
  failure(): void;
  /** The caller gave the call up (not the dependency's doing): it counts neither way. */
  cancel(): void;
}

export interface CircuitBreaker {
  /** A ticket for one call, or undefined when the breaker refuses it (open, or a trial is running). */
  tryAcquire(): BreakerTicket | undefined;
  state(): BreakerState;
}

/** Builds a {@link CircuitBreaker}, closed. */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { failureRatio, minRequests, halfOpenAfterMs, windowMs = 10_000, now, onStateChange } = options;
  const window = new SlidingWindow(['calls', 'failures'] as const, windowMs, now);
  let state: BreakerState = 'closed';
  let openedAt = 0;
  let trialRunning = false;

  const moveTo = (to: BreakerState): void => {
    if (state === to) return;
    state = to;
    if (to === 'open') openedAt = now();
    if (to === 'closed') window.reset();
    onStateChange?.(to);
  };

  const closedTicket: BreakerTicket = {
    cancel: () => undefined,
    success: () => window.add('calls'),
    failure: () => {
      window.add('calls');
      window.add('failures');
      const { calls, failures } = window.totals();
      if (state === 'closed' && calls >= minRequests && failures >= failureRatio * calls) moveTo('open');
    },
  };

  const trialTicket = (): BreakerTicket => {
    let settled = false;
    const settle = (to: BreakerState): void => {
      if (settled) return;
      settled = true;
      trialRunning = false;
      moveTo(to);
    };
    return {
      success: () => settle('closed'),
      failure: () => settle('open'),
      cancel: () => settle('half-open'),
    };
  };

  return {
    tryAcquire() {
      if (state === 'closed') return closedTicket;
      if (state === 'open' && now() - openedAt >= halfOpenAfterMs) moveTo('half-open');
      if (state === 'half-open' && !trialRunning) {
        trialRunning = true;
        return trialTicket();
      }
      return undefined;
    },
    state: () => state,
  };
}
