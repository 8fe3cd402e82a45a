/**
 * The capacity model the harness and the reference service agree on: `capacity` permits, and a
 * FIFO queue of at most `queueMax` waiters to whom a released permit passes straight on, so no
 * newcomer overtakes one that waits. The database and recommendations simulators model their
 * service slots with it (an unbounded queue, waiters leave when their client does); the
 * service's admission gate and pool gate put their limits on it (a bounded queue that sheds,
 * waiters that time out or are aborted).
 *
 *   acquire ──▶ signal aborted? ──yes──▶ refused('aborted')
 *                  │ no
 *                  ▼
 *              permit free? ──yes──▶ granted(release, 0)            (synchronously)
 *                  │ no
 *                  ▼
 *              queue full? ──yes──▶ refused('queue_full')           (synchronously)
 *              timeoutMs 0? ─yes──▶ refused('timeout')              (synchronously)
 *                  │ no
 *                  ▼
 *              wait (FIFO) ──timeoutMs──▶ refused('timeout')
 *                  │       ──abort / cancel()──▶ refused('aborted')
 *                  │       ──close()──▶ refused('closed')
 *                  ▼ a release hands its permit straight to the first waiter
 *              granted(release, waitedMs)
 *
 * Every acquire is settled exactly once: `granted` or `refused`, never both, never twice. While
 * anyone waits, every permit is held. `tryTake` is the allocation-light fast path (one release
 * function per grant) for callers that must not pay for a queue they do not use.
 */

/** Gives a permit back; calling it more than once has no effect. */
export type Release = () => void;

/** Why an acquire was not granted. */
export type Refusal = 'queue_full' | 'timeout' | 'aborted' | 'closed';

/** How long and under what signal one caller may wait. */
export interface FifoWaitOptions {
  /** Longest wait for a permit, in ms; 0: never wait; absent or Infinity: no limit. */
  timeoutMs?: number;
  /** Aborting it takes a waiter out of the queue (refused 'aborted'). */
  signal?: AbortSignal;
}

export interface FifoPermitsOptions {
  /** Permits (requests served at once); at least 1. */
  capacity: number;
  /** Waiters allowed in the queue; 0: none wait; default Infinity. */
  queueMax?: number;
  /** Clock of the wait times, in ms (default performance.now). */
  now?: () => number;
}

/** Counters and gauges for telemetry; counts are since the queue was made. */
export interface FifoStats {
  capacity: number;
  /** Permits held now. */
  held: number;
  /** Waiters queued now, and the most ever queued at once. */
  waiting: number;
  maxWaiting: number;
  /** Acquires granted: at once, and after waiting. */
  grantedAtOnce: number;
  grantedAfterWait: number;
  /** Acquires refused, by reason. */
  queueFull: number;
  timedOut: number;
  aborted: number;
  closed: number;
}

export interface FifoPermits {
  /** A permit at once, or undefined when all are held (or the queue is closed). */
  tryTake(): Release | undefined;
  /**
   * Calls `granted` (synchronously when a permit is free) or `refused` exactly once. When the
   * caller has to wait, returns a function that takes it out of the queue (it is then refused
   * 'aborted'; calling it after it was settled does nothing).
   */
  acquire(
    granted: (release: Release, waitedMs: number) => void,
    refused: (reason: Refusal) => void,
    options?: FifoWaitOptions,
  ): (() => void) | undefined;
  /** Permits held. */
  held(): number;
  /** Waiters queued. */
  waiting(): number;
  stats(): FifoStats;
  /** Refuses every waiter and every later acquire with 'closed'; permits held may still be released. */
  close(): void;
}

const maxTimerMs = 2_147_483_647;

interface Waiter {
  granted: (release: Release, waitedMs: number) => void;
  refused: (reason: Refusal) => void;
  since: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Builds {@link FifoPermits}. */
export function createFifoPermits(options: FifoPermitsOptions): FifoPermits {
  const { capacity, queueMax = Infinity, now = () => performance.now() } = options;
  if (!(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`capacity: expected an integer of at least 1, got ${capacity}`);
  }
  if (!(queueMax === Infinity || (Number.isInteger(queueMax) && queueMax >= 0))) {
    throw new RangeError(`queueMax: expected an integer of at least 0 or Infinity, got ${queueMax}`);
  }
  // A Set iterates in insertion order and deletes in O(1): a FIFO that a departing waiter can leave.
  const queue = new Set<Waiter>();
  const stats: FifoStats = {
    capacity,
    held: 0,
    waiting: 0,
    maxWaiting: 0,
    grantedAtOnce: 0,
    grantedAfterWait: 0,
    queueFull: 0,
    timedOut: 0,
    aborted: 0,
    closed: 0,
  };
  let closed = false;

  /** Takes `waiter` out of the queue; false when it had already left (settled). */
  const leave = (waiter: Waiter): boolean => {
    if (!queue.delete(waiter)) return false;
    stats.waiting--;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    return true;
  };

  const refuse = (waiter: Waiter, reason: Refusal): void => {
    if (!leave(waiter)) return;
    if (reason === 'timeout') stats.timedOut++;
    else if (reason === 'aborted') stats.aborted++;
    else stats.closed++;
    waiter.refused(reason);
  };

  const makeRelease = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.values().next();
      if (next.done) {
        stats.held--;
        return;
      }
      const waiter = next.value;
      leave(waiter);
      stats.grantedAfterWait++;
      waiter.granted(makeRelease(), now() - waiter.since);
    };
  };

  const tryTake = (): Release | undefined => {
    if (closed || stats.held >= capacity) return undefined;
    stats.held++;
    stats.grantedAtOnce++;
    return makeRelease();
  };

  return {
    tryTake,
    acquire(granted, refused, wait) {
      const signal = wait?.signal;
      if (closed) {
        stats.closed++;
        refused('closed');
        return undefined;
      }
      if (signal?.aborted === true) {
        stats.aborted++;
        refused('aborted');
        return undefined;
      }
      const release = tryTake();
      if (release !== undefined) {
        granted(release, 0);
        return undefined;
      }
      if (stats.waiting >= queueMax) {
        stats.queueFull++;
        refused('queue_full');
        return undefined;
      }
      const timeoutMs = wait?.timeoutMs ?? Infinity;
      if (timeoutMs <= 0) {
        stats.timedOut++;
        refused('timeout');
        return undefined;
      }
      const waiter: Waiter = {
        granted,
        refused,
        since: now(),
        timer: undefined,
        signal,
        onAbort: undefined,
      };
      queue.add(waiter);
      stats.waiting++;
      if (stats.waiting > stats.maxWaiting) stats.maxWaiting = stats.waiting;
      // setTimeout takes at most 2^31-1 ms (about 24.8 days); past that it would fire at once.
      if (timeoutMs !== Infinity) {
        waiter.timer = setTimeout(refuse, Math.min(timeoutMs, maxTimerMs), waiter, 'timeout');
      }
      if (signal !== undefined) {
        waiter.onAbort = () => refuse(waiter, 'aborted');
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      return () => refuse(waiter, 'aborted');
    },
    held: () => stats.held,
    waiting: () => stats.waiting,
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      for (const waiter of [...queue]) refuse(waiter, 'closed');
    },
  };
}
