/**
 * A bounded semaphore in front of the store's connection pool: `max` permits (one per
 * connection), then a FIFO queue of at most `queueMax` waiters, each bounded by
 * `acquireTimeoutMs` and by its request's AbortSignal. A full queue rejects at once, so an
 * overloaded service sheds load instead of queueing without bound (docs/measured-facts.md: pg.Pool waits
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
import { createFifoPermits, type Release } from '../resilience/fifo-permits.js';

export type { Release } from '../resilience/fifo-permits.js';

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

/** Builds a {@link PoolGate}. */
export function createPoolGate(options: PoolGateOptions): PoolGate {
  const { max, queueMax, acquireTimeoutMs, onAcquired } = options;
  const permits = createFifoPermits(max);
  /** How to fail each waiter, for close(). */
  const failers = new Map<(release: Release) => void, (err: unknown) => void>();
  let closed = false;

  const acquire = (signal?: AbortSignal): Promise<Release> => {
    if (closed) return Promise.reject(serviceError('shutting_down', 'the store client is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const release = permits.tryTake();
    if (release !== undefined) {
      onAcquired?.(0);
      return Promise.resolve(release);
    }
    if (permits.waiting() >= queueMax) {
      return Promise.reject(
        serviceError('pool_queue_full', `all ${max} store connections busy and ${queueMax} callers waiting`),
      );
    }
    if (acquireTimeoutMs === 0) {
      return Promise.reject(serviceError('pool_acquire_timeout', 'no store connection free'));
    }
    return new Promise<Release>((resolve, reject) => {
      const since = performance.now();
      const settle = (): void => {
        leave();
        failers.delete(grant);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (err: unknown): void => {
        settle();
        reject(err);
      };
      const onAbort = (): void => fail(signal?.reason);
      const grant = (granted: Release): void => {
        settle();
        onAcquired?.((performance.now() - since) / 1000);
        resolve(granted);
      };
      const timer = setTimeout(
        () =>
          fail(
            serviceError('pool_acquire_timeout', `no store connection free within ${acquireTimeoutMs} ms`),
          ),
        acquireTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      const leave = permits.wait(grant);
      failers.set(grant, fail);
    });
  };

  return {
    acquire,
    counts: () => ({ inUse: permits.held(), idle: max - permits.held(), waiting: permits.waiting() }),
    close: () => {
      closed = true;
      for (const fail of [...failers.values()])
        fail(serviceError('shutting_down', 'the store client is closed'));
    },
  };
}
