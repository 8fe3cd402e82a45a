/**
 * A bounded semaphore in front of the store's connection pool: `max` permits (one per
 * connection), then a FIFO queue of at most `queueMax` waiters, each bounded by
 * `acquireTimeoutMs` and by its request's AbortSignal. A full queue rejects at once, so an
 * overloaded service sheds load instead of queueing without bound (FIELD-NOTES: pg.Pool waits
 * forever by default).
 *
 *   acquire ──▶ permit free? ──yes──▶ run
 *                  │ no
 *                  ▼
 *              queue full? ──yes──▶ pool_queue_full
 *                  │ no
 *                  ▼
 *              wait (FIFO) ──timeout──▶ pool_acquire_timeout
 *                  │       ──abort────▶ signal.reason
 *                  ▼ a release hands its permit straight to the first waiter
 *                 run
 */
import { serviceError } from '../errors.js';

/** Gives a permit back; calling it more than once has no effect. */
export type Release = () => void;

/** Permits and waiters at one instant. */
export interface PoolCounts {
  /** Permits held (store calls running). */
  inUse: number;
  /** Permits free. */
  idle: number;
  /** Callers queued for a permit. */
  waiting: number;
}

export interface PoolGateOptions {
  /** Permits; equals the pool's connections. */
  max: number;
  /** Waiters allowed in the queue; 0 means none wait. */
  queueMax: number;
  /** Longest wait for a permit, in ms; 0 means a caller never waits. */
  acquireTimeoutMs: number;
  /** Called with the wait, in seconds, each time a permit is granted (0 when none was needed). */
  onAcquired?: (waitSeconds: number) => void;
}

export interface PoolGate {
  /** Resolves with a release function once a permit is held; rejects with a ServiceError. */
  acquire(signal?: AbortSignal): Promise<Release>;
  counts(): PoolCounts;
  /** Rejects every waiter and every later acquire with `shutting_down`. */
  close(): void;
}

interface Waiter {
  readonly since: number;
  grant(release: Release): void;
  fail(err: unknown): void;
}

/** Builds a {@link PoolGate}. */
export function createPoolGate(options: PoolGateOptions): PoolGate {
  const { max, queueMax, acquireTimeoutMs, onAcquired } = options;
  // A Set iterates in insertion order and deletes in O(1): a FIFO that a timed-out waiter can leave.
  const waiters = new Set<Waiter>();
  let inUse = 0;
  let closed = false;

  const makeRelease = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiters.values().next();
      if (next.done) {
        inUse--;
        return;
      }
      waiters.delete(next.value);
      next.value.grant(makeRelease());
    };
  };

  const acquire = (signal?: AbortSignal): Promise<Release> => {
    if (closed) return Promise.reject(serviceError('shutting_down', 'the store client is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (inUse < max) {
      inUse++;
      onAcquired?.(0);
      return Promise.resolve(makeRelease());
    }
    if (waiters.size >= queueMax) {
      return Promise.reject(
        serviceError('pool_queue_full', `all ${max} store connections busy and ${queueMax} callers waiting`),
      );
    }
    if (acquireTimeoutMs === 0) {
      return Promise.reject(serviceError('pool_acquire_timeout', 'no store connection free'));
    }
    return new Promise<Release>((resolve, reject) => {
      const settle = (): void => {
        waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        settle();
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        since: performance.now(),
        grant: (release) => {
          settle();
          onAcquired?.((performance.now() - waiter.since) / 1000);
          resolve(release);
        },
        fail: (err) => {
          settle();
          reject(err);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.fail(
            serviceError('pool_acquire_timeout', `no store connection free within ${acquireTimeoutMs} ms`),
          ),
        acquireTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
  };

  return {
    acquire,
    counts: () => ({ inUse, idle: max - inUse, waiting: waiters.size }),
    close: () => {
      closed = true;
      for (const waiter of [...waiters])
        waiter.fail(serviceError('shutting_down', 'the store client is closed'));
    },
  };
}
