/**
 * The reference service's resilience policies with a fake clock: retry budget, backoff,
 * circuit breaker, admission gate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createAdmissionGate,
  createBackoff,
  createCircuitBreaker,
  createRetryBudget,
  type BreakerState,
  type ShedReason,
} from '../../reference-service/src/resilience/index.js';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('retry budget', () => {
  it('never allows more retries than ratio x calls + minimum over the window', () => {
    const clock = fakeClock();
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 5, windowMs: 10_000, now: clock.now });
    let allowed = 0;
    for (let i = 0; i < 1000; i++) {
      budget.recordCall();
      if (budget.tryRetry()) allowed++;
      if (budget.tryRetry()) allowed++;
      clock.advance(5); // 1000 calls in 5 s: all inside one window
    }
    expect(allowed).toBeLessThanOrEqual(0.2 * 1000 + 5);
    expect(allowed).toBeGreaterThanOrEqual(0.2 * 1000 + 5 - 1);
  });

  it('refuses retries when nothing was called beyond the minimum, and forgets calls once they leave the window', () => {
    const clock = fakeClock();
    const budget = createRetryBudget({ ratio: 0.5, minRetries: 2, windowMs: 1000, now: clock.now });
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
    clock.advance(1500);
    expect(budget.totals()).toEqual({ calls: 0, retries: 0 });
  });
});

describe('backoff', () => {
  it('doubles per retry up to the cap without jitter', () => {
    const backoff = createBackoff({ baseMs: 20, jitter: 'none', maxMs: 100, random: () => 0.5 });
    expect([1, 2, 3, 4].map(backoff)).toEqual([20, 40, 80, 100]);
  });

  it('draws full jitter between 0 and the exponential value', () => {
    const draws = [0, 0.999, 0.5];
    const backoff = createBackoff({ baseMs: 20, jitter: 'full', random: () => draws.shift() ?? 0 });
    expect(backoff(1)).toBe(0);
    expect(backoff(2)).toBeCloseTo(39.96, 2);
    expect(backoff(3)).toBe(40);
  });
});

describe('circuit breaker', () => {
  const make = () => {
    const clock = fakeClock();
    const changes: BreakerState[] = [];
    const breaker = createCircuitBreaker({
      failureRatio: 0.5,
      minRequests: 10,
      halfOpenAfterMs: 1000,
      now: clock.now,
      onStateChange: (to) => changes.push(to),
    });
    return { clock, changes, breaker };
  };

  it('stays closed below minRequests, then opens once the failure ratio is reached', () => {
    const { breaker, changes } = make();
    for (let i = 0; i < 9; i++) breaker.tryAcquire()?.failure();
    expect(breaker.state()).toBe('closed');
    breaker.tryAcquire()?.failure();
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes).toEqual(['open']);
  });

  it('stays closed while failures stay under the ratio', () => {
    const { breaker } = make();
    for (let i = 0; i < 100; i++) {
      const ticket = breaker.tryAcquire();
      if (i % 3 === 0) ticket?.failure();
      else ticket?.success();
    }
    expect(breaker.state()).toBe('closed');
  });

  it('lets one trial through after halfOpenAfterMs; success closes, failure opens again', () => {
    const { breaker, clock, changes } = make();
    for (let i = 0; i < 10; i++) breaker.tryAcquire()?.failure();
    clock.advance(999);
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.advance(1);
    const trial = breaker.tryAcquire();
    expect(trial).toBeDefined();
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toBeUndefined(); // one trial at a time
    trial?.failure();
    expect(breaker.state()).toBe('open');
    clock.advance(1000);
    breaker.tryAcquire()?.success();
    expect(breaker.state()).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('frees the trial slot when the caller cancels the trial call', () => {
    const { breaker, clock } = make();
    for (let i = 0; i < 10; i++) breaker.tryAcquire()?.failure();
    clock.advance(1000);
    breaker.tryAcquire()?.cancel();
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toBeDefined();
  });
});

describe('admission gate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants at once up to maxInFlight, sheds the rest at once when no queue is allowed', () => {
    const gate = createAdmissionGate({ maxInFlight: 2, queueMax: 0, queueTimeoutMs: 100 });
    const granted: (() => void)[] = [];
    const shed: ShedReason[] = [];
    for (let i = 0; i < 3; i++)
      gate.admit(
        (release) => granted.push(release),
        (reason) => shed.push(reason),
      );
    expect(granted).toHaveLength(2);
    expect(shed).toEqual(['max_in_flight']);
    granted[0]?.();
    granted[0]?.(); // a second release is a no-op
    expect(gate.running()).toBe(1);
  });

  it('queues up to queueMax in order, hands a released slot to the first waiter, and times waiters out', () => {
    vi.useFakeTimers();
    const gate = createAdmissionGate({ maxInFlight: 1, queueMax: 2, queueTimeoutMs: 50 });
    const order: string[] = [];
    let release: (() => void) | undefined;
    gate.admit(
      (r) => (release = r),
      () => order.push('shed-0'),
    );
    gate.admit(
      () => order.push('granted-1'),
      (reason) => order.push(`shed-1 ${reason}`),
    );
    gate.admit(
      () => order.push('granted-2'),
      (reason) => order.push(`shed-2 ${reason}`),
    );
    gate.admit(
      () => order.push('granted-3'),
      (reason) => order.push(`shed-3 ${reason}`),
    );
    expect(order).toEqual(['shed-3 max_in_flight']);
    release?.();
    expect(order).toEqual(['shed-3 max_in_flight', 'granted-1']);
    vi.advanceTimersByTime(50);
    expect(order).toEqual(['shed-3 max_in_flight', 'granted-1', 'shed-2 queue_timeout']);
    expect(gate.queued()).toBe(0);
  });

  it('forgets a waiter whose client went away', () => {
    vi.useFakeTimers();
    const gate = createAdmissionGate({ maxInFlight: 1, queueMax: 1, queueTimeoutMs: 50 });
    let release: (() => void) | undefined;
    gate.admit(
      (r) => (release = r),
      () => undefined,
    );
    const events: string[] = [];
    const cancel = gate.admit(
      () => events.push('granted'),
      () => events.push('shed'),
    );
    expect(cancel).toBeDefined();
    cancel?.();
    release?.();
    vi.advanceTimersByTime(100);
    expect(events).toEqual([]);
    expect(gate.running()).toBe(0);
  });
});
