/**
 * The FIFO permit queue shared by the dependency simulators and the service's gates: examples of
 * each way a caller can leave, then property tests over random sequences of acquires, releases,
 * cancels, aborts, the clock and close, checked against a model after every step.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFifoPermits, type Refusal, type Release } from '../../protocol/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Records what happened to each acquire, by its number. */
function recorder() {
  const events: string[] = [];
  const releases = new Map<number, Release>();
  const take = (id: number) => ({
    granted: (release: Release, waitedMs: number) => {
      releases.set(id, release);
      events.push(`${id} granted ${waitedMs}`);
    },
    refused: (reason: Refusal) => events.push(`${id} ${reason}`),
  });
  return { events, releases, take };
}

describe('FIFO permits', () => {
  it('grants up to capacity at once, queues the rest, and hands a release straight to the first waiter', () => {
    const permits = createFifoPermits({ capacity: 2, now: () => Date.now() });
    const r = recorder();
    for (let id = 0; id < 4; id++) {
      const { granted, refused } = r.take(id);
      permits.acquire(granted, refused);
    }
    expect(r.events).toEqual(['0 granted 0', '1 granted 0']);
    expect([permits.held(), permits.waiting()]).toEqual([2, 2]);
    // A newcomer finds no free permit even at the instant of a release: it queues behind 2 and 3.
    vi.advanceTimersByTime(7);
    r.releases.get(1)!();
    r.releases.get(1)!(); // a second release is a no-op
    expect(permits.tryTake()).toBeUndefined();
    r.releases.get(0)!();
    expect(r.events).toEqual(['0 granted 0', '1 granted 0', '2 granted 7', '3 granted 7']);
    expect([permits.held(), permits.waiting()]).toEqual([2, 0]);
    r.releases.get(2)!();
    r.releases.get(3)!();
    expect(permits.held()).toBe(0);
  });

  it('refuses past a full queue at once, and with timeoutMs 0 refuses rather than waits', () => {
    const permits = createFifoPermits({ capacity: 1, queueMax: 1 });
    const r = recorder();
    const ids = [0, 1, 2];
    for (const id of ids) {
      const { granted, refused } = r.take(id);
      permits.acquire(granted, refused, { timeoutMs: 100 });
    }
    const { granted, refused } = r.take(3);
    expect(r.events).toEqual(['0 granted 0', '2 queue_full']);
    const zero = createFifoPermits({ capacity: 1, queueMax: 5 });
    zero.tryTake();
    zero.acquire(granted, refused, { timeoutMs: 0 });
    expect(r.events.at(-1)).toBe('3 timeout');
    expect(zero.waiting()).toBe(0);
  });

  it('times a waiter out after timeoutMs and lets the next one move up', () => {
    const permits = createFifoPermits({ capacity: 1 });
    const r = recorder();
    for (const [id, timeoutMs] of [
      [0, 10],
      [1, 10],
      [2, 50],
    ] as const) {
      const { granted, refused } = r.take(id);
      permits.acquire(granted, refused, { timeoutMs });
    }
    vi.advanceTimersByTime(9);
    expect(r.events).toEqual(['0 granted 0']);
    vi.advanceTimersByTime(1);
    expect(r.events).toEqual(['0 granted 0', '1 timeout']);
    r.releases.get(0)!();
    expect(r.events.at(-1)).toMatch(/^2 granted/);
    vi.advanceTimersByTime(100);
    expect(r.events).toHaveLength(3);
    expect(permits.stats()).toMatchObject({ timedOut: 1, grantedAtOnce: 1, grantedAfterWait: 1 });
  });

  it('takes an aborted or cancelled waiter out of the queue, and refuses a signal aborted beforehand', () => {
    const permits = createFifoPermits({ capacity: 1 });
    const r = recorder();
    const hold = permits.tryTake()!;
    const controller = new AbortController();
    const a = r.take(1);
    permits.acquire(a.granted, a.refused, { signal: controller.signal });
    const b = r.take(2);
    const cancel = permits.acquire(b.granted, b.refused)!;
    const c = r.take(3);
    permits.acquire(c.granted, c.refused);
    controller.abort();
    cancel();
    cancel(); // leaving twice is a no-op
    expect(r.events).toEqual(['1 aborted', '2 aborted']);
    hold();
    expect(r.events).toEqual(['1 aborted', '2 aborted', '3 granted 0']);
    const d = r.take(4);
    permits.acquire(d.granted, d.refused, { signal: AbortSignal.abort() });
    expect(r.events.at(-1)).toBe('4 aborted');
  });

  it('on close refuses every waiter and every later acquire, and still takes releases back', () => {
    const permits = createFifoPermits({ capacity: 1 });
    const r = recorder();
    const hold = permits.tryTake()!;
    const a = r.take(1);
    permits.acquire(a.granted, a.refused, { timeoutMs: 50 });
    permits.close();
    const b = r.take(2);
    permits.acquire(b.granted, b.refused);
    hold();
    vi.advanceTimersByTime(100);
    expect(r.events).toEqual(['1 closed', '2 closed']);
    expect(permits.held()).toBe(0);
    expect(permits.tryTake()).toBeUndefined();
  });

  it('counts for telemetry: held, waiting, the most ever waiting and each outcome', () => {
    const permits = createFifoPermits({ capacity: 1, queueMax: 2 });
    const noop = (): void => undefined;
    permits.acquire(noop, noop);
    permits.acquire(noop, noop, { timeoutMs: 5 });
    const cancel = permits.acquire(noop, noop)!;
    permits.acquire(noop, noop);
    cancel();
    vi.advanceTimersByTime(5);
    expect(permits.stats()).toEqual({
      capacity: 1,
      held: 1,
      waiting: 0,
      maxWaiting: 2,
      grantedAtOnce: 1,
      grantedAfterWait: 0,
      queueFull: 1,
      timedOut: 1,
      aborted: 1,
      closed: 0,
    });
  });

  it('rejects a capacity under 1 and a negative or fractional queueMax, naming the option', () => {
    expect(() => createFifoPermits({ capacity: 0 })).toThrow(
      /capacity: expected an integer of at least 1, got 0/,
    );
    expect(() => createFifoPermits({ capacity: 1, queueMax: -1 })).toThrow(/queueMax: .* got -1/);
    expect(() => createFifoPermits({ capacity: 1, queueMax: 1.5 })).toThrow(/queueMax: .* got 1.5/);
  });
});

type Step =
  | { op: 'acquire'; timeoutMs: number | undefined; signal: boolean; releaseAtOnce: boolean }
  | { op: 'release'; pick: number }
  | { op: 'cancel'; pick: number }
  | { op: 'abort'; pick: number }
  | { op: 'advance'; ms: number }
  | { op: 'close' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 50,
    arbitrary: fc.record({
      op: fc.constant('acquire' as const),
      timeoutMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      signal: fc.boolean(),
      releaseAtOnce: fc.boolean(),
    }),
  },
  { weight: 40, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('abort' as const), pick: fc.nat() }) },
  {
    weight: 20,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 25 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'close' as const }) },
);

interface Caller {
  id: number;
  at: number;
  timeoutMs: number | undefined;
  outcomes: string[];
  release?: Release;
  cancel?: () => void;
  controller?: AbortController;
}

/** Runs `steps` against a queue and checks every invariant after each; then drains it and checks every caller was settled once. */
function check(capacity: number, queueMax: number, steps: Step[]): void {
  const permits = createFifoPermits({ capacity, queueMax, now: () => Date.now() });
  const callers: Caller[] = [];
  const holding: Caller[] = [];
  const waiting: Caller[] = [];
  const grantOrder: number[] = [];

  const settle = (caller: Caller, outcome: string): void => {
    caller.outcomes.push(outcome);
    const w = waiting.indexOf(caller);
    if (w >= 0) waiting.splice(w, 1);
  };

  const invariants = (): void => {
    expect(permits.held()).toBeLessThanOrEqual(capacity);
    expect(permits.held()).toBe(holding.length);
    expect(permits.waiting()).toBe(waiting.length);
    expect(permits.waiting()).toBeLessThanOrEqual(queueMax);
    if (permits.waiting() > 0) expect(permits.held()).toBe(capacity);
    for (const c of callers) expect(c.outcomes.length).toBeLessThanOrEqual(1);
    // A waiter is never left behind past its timeout.
    for (const c of waiting)
      if (c.timeoutMs !== undefined) expect(Date.now() - c.at).toBeLessThan(c.timeoutMs);
  };

  const acquire = (timeoutMs: number | undefined, signal: boolean, releaseAtOnce: boolean): void => {
    const caller: Caller = { id: callers.length, at: Date.now(), timeoutMs, outcomes: [] };
    callers.push(caller);
    if (signal) caller.controller = new AbortController();
    let queued = false;
    const cancel = permits.acquire(
      (release, waitedMs) => {
        // FIFO: no one who queued earlier is still waiting when a later one is granted.
        if (queued) {
          expect(waiting[0]).toBe(caller);
          expect(waitedMs).toBe(Date.now() - caller.at);
          if (timeoutMs !== undefined) expect(waitedMs).toBeLessThan(timeoutMs);
        }
        settle(caller, 'granted');
        grantOrder.push(caller.id);
        caller.release = release;
        holding.push(caller);
        expect(holding.length).toBeLessThanOrEqual(capacity);
        if (releaseAtOnce) {
          holding.splice(holding.indexOf(caller), 1);
          release();
        }
      },
      (reason) => {
        if (reason === 'timeout' && queued) expect(Date.now() - caller.at).toBe(timeoutMs);
        settle(caller, reason);
      },
      { timeoutMs, signal: caller.controller?.signal },
    );
    if (cancel !== undefined) {
      queued = true;
      caller.cancel = cancel;
      waiting.push(caller);
    }
  };

  const release = (caller: Caller | undefined): void => {
    if (caller === undefined) return;
    holding.splice(holding.indexOf(caller), 1);
    caller.release!();
  };

  for (const s of steps) {
    switch (s.op) {
      case 'acquire':
        acquire(s.timeoutMs, s.signal, s.releaseAtOnce);
        break;
      case 'release':
        release(holding[s.pick % Math.max(1, holding.length)]);
        break;
      case 'cancel': {
        // Among those that queued, waiting still or not: leaving after being settled must do nothing.
        const queued = callers.filter((c) => c.cancel !== undefined);
        queued[s.pick % Math.max(1, queued.length)]?.cancel?.();
        break;
      }
      case 'abort': {
        const signalled = callers.filter((c) => c.controller !== undefined);
        signalled[s.pick % Math.max(1, signalled.length)]?.controller?.abort();
        break;
      }
      case 'advance':
        vi.advanceTimersByTime(s.ms);
        break;
      case 'close':
        permits.close();
        break;
    }
    invariants();
  }

  // Drain: release everything held (each release may grant a waiter, which is released in turn),
  // then let every timer fire. Every caller must then have exactly one outcome.
  while (holding.length > 0) {
    release(holding[0]);
    invariants();
  }
  // No waiter is left, so no timer may be: a settled waiter's timeout is cleared, not left to fire.
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(1000);
  for (const c of callers) expect(c.outcomes, `caller ${c.id}`).toHaveLength(1);
  expect(permits.held()).toBe(0);
  expect(permits.waiting()).toBe(0);
  const stats = permits.stats();
  const count = (o: string) => callers.filter((c) => c.outcomes[0] === o).length;
  expect(stats.grantedAtOnce + stats.grantedAfterWait).toBe(count('granted'));
  expect([stats.queueFull, stats.timedOut, stats.aborted, stats.closed]).toEqual([
    count('queue_full'),
    count('timeout'),
    count('aborted'),
    count('closed'),
  ]);
  // Grants happen in the order of the acquires: FIFO, no overtaking.
  expect(grantOrder).toEqual([...grantOrder].sort((a, b) => a - b));
}

describe('FIFO permits, properties over random sequences', () => {
  const queueMaxes = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(Infinity));

  it('never exceeds capacity, grants in FIFO order, and settles every caller exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        queueMaxes,
        fc.array(step, { maxLength: 80 }),
        (c, q, steps) => {
          vi.clearAllTimers();
          check(c, q, steps);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('holds the same with no queue limit and no timeouts (the simulators’ use)', () => {
    const acquireOnly = fc.record({
      op: fc.constant('acquire' as const),
      timeoutMs: fc.constant(undefined),
      signal: fc.constant(false),
      releaseAtOnce: fc.boolean(),
    });
    const steps = fc.array(
      fc.oneof(acquireOnly, fc.record({ op: fc.constant('release' as const), pick: fc.nat() })),
      { maxLength: 120 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), steps, (c, s) => {
        vi.clearAllTimers();
        check(c, Infinity, s);
      }),
      { numRuns: 200 },
    );
  });
});
