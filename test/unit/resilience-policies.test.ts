/**
 * The reference service's resilience policies with a fake clock: retry budget, backoff, the
 * service's breaker knobs on cockatiel's circuit breaker, admission gate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrokenCircuitError, circuitBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import {
  breakerStateOf,
  createAdmissionGate,
  createBackoff,
  createRetryBudget,
  createSamplingBreaker,
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

describe('circuit breaker (cockatiel, with the service knobs)', () => {
  // cockatiel's breaker and SamplingBreaker read Date.now(): fake the clock, nothing else.
  afterEach(() => {
    vi.useRealTimers();
  });

  const fail = async (policy: CircuitBreakerPolicy): Promise<unknown> =>
    policy.execute(() => Promise.reject(new Error('boom'))).catch((err: unknown) => err);
  const succeed = (policy: CircuitBreakerPolicy): Promise<unknown> =>
    policy.execute(() => Promise.resolve('ok'));

  const make = (knobs: { failureRatio: number; minRequests: number; windowMs?: number }) => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const changes: BreakerState[] = [];
    const policy = circuitBreaker(handleAll, {
      halfOpenAfter: 1000,
      breaker: createSamplingBreaker({ windowMs: 10_000, ...knobs }),
    });
    policy.onStateChange((s) => changes.push(breakerStateOf(s)));
    return { policy, changes };
  };

  it('stays closed below minRequests, then opens once the failure ratio is reached (>=, as the knob says)', async () => {
    const { policy, changes } = make({ failureRatio: 0.5, minRequests: 10 });
    for (let i = 0; i < 5; i++) await succeed(policy);
    for (let i = 0; i < 4; i++) await fail(policy);
    expect(breakerStateOf(policy.state)).toBe('closed'); // 9 calls: below minRequests
    await fail(policy); // 10 calls, 5 failed: exactly the ratio
    expect(breakerStateOf(policy.state)).toBe('open');
    expect(await fail(policy)).toBeInstanceOf(BrokenCircuitError);
    expect(changes).toEqual(['open']);
  });

  it('stays closed while failures stay under the ratio, and accepts a ratio of 1 (every call failed)', async () => {
    const under = make({ failureRatio: 0.5, minRequests: 10 });
    for (let i = 0; i < 100; i++) await (i % 3 === 0 ? fail(under.policy) : succeed(under.policy));
    expect(breakerStateOf(under.policy.state)).toBe('closed');
    const mixed = make({ failureRatio: 1, minRequests: 3 });
    await succeed(mixed.policy);
    for (let i = 0; i < 20; i++) await fail(mixed.policy);
    expect(breakerStateOf(mixed.policy.state)).toBe('closed'); // one success in the window
    const all = make({ failureRatio: 1, minRequests: 3 });
    for (let i = 0; i < 3; i++) await fail(all.policy);
    expect(breakerStateOf(all.policy.state)).toBe('open');
  });

  it('forgets calls that left windowMs while calls keep coming', async () => {
    // SamplingBreaker keeps max(5, windowMs / 1 s) buckets and moves one bucket per call: under
    // steady traffic that is the last windowMs; after a long silence old buckets linger.
    const { policy } = make({ failureRatio: 0.5, minRequests: 10, windowMs: 5000 });
    for (let i = 0; i < 9; i++) await fail(policy);
    for (let s = 0; s < 6; s++) {
      vi.setSystemTime(Date.now() + 1000);
      await succeed(policy);
    }
    await fail(policy); // with the 9 old failures still counted: 10 of 16 failed, open
    expect(breakerStateOf(policy.state)).toBe('closed');
  });

  it('lets one trial through after halfOpenAfter; failure opens again, success closes', async () => {
    const { policy, changes } = make({ failureRatio: 0.5, minRequests: 2 });
    await fail(policy);
    await fail(policy);
    vi.setSystemTime(Date.now() + 999);
    expect(await fail(policy)).toBeInstanceOf(BrokenCircuitError);
    vi.setSystemTime(Date.now() + 1);
    await fail(policy);
    expect(breakerStateOf(policy.state)).toBe('open');
    vi.setSystemTime(Date.now() + 1000);
    await succeed(policy);
    expect(breakerStateOf(policy.state)).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
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
