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
 *
 * The counting and the queue are the shared FIFO permit queue (protocol/fifo-permits.ts); this
 * adapter maps its refusals onto the service's error codes.
 */
import { createFifoPermits, type Refusal, type Release } from '../../../protocol/index.js';
import { serviceError } from '../errors.js';

export type { Release } from '../../../protocol/index.js';

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
  const permits = createFifoPermits({ capacity: max, queueMax });

  const refusal = (reason: Refusal, signal: AbortSignal | undefined): unknown => {
    switch (reason) {
      case 'queue_full':
        return serviceError(
          'pool_queue_full',
          `all ${max} store connections busy and ${queueMax} callers waiting`,
        );
      case 'timeout':
        return acquireTimeoutMs === 0
          ? serviceError('pool_acquire_timeout', 'no store connection free')
          : serviceError('pool_acquire_timeout', `no store connection free within ${acquireTimeoutMs} ms`);
      case 'aborted':
        return signal?.reason;
      case 'closed':
        return serviceError('shutting_down', 'the store client is closed');
    }
  };

  const acquire = (signal?: AbortSignal): Promise<Release> => {
    // The fast path allocates no more than it did before the queue was shared: the release and its promise.
    if (signal?.aborted !== true) {
      const release = permits.tryTake();
      if (release !== undefined) {
        onAcquired?.(0);
        return Promise.resolve(release);
      }
    }
    return new Promise<Release>((resolve, reject) => {
      permits.acquire(
        (release, waitedMs) => {
          onAcquired?.(waitedMs / 1000);
          resolve(release);
        },
        (reason) => reject(refusal(reason, signal)),
        { timeoutMs: acquireTimeoutMs, signal },
      );
    });
  };

  return {
    acquire,
    counts: () => ({ inUse: permits.held(), idle: max - permits.held(), waiting: permits.waiting() }),
    close: () => permits.close(),
  };
}
