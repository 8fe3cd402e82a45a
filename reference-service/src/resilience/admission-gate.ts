/**
 * Admission control in front of the request handlers: at most `maxInFlight` requests run at
 * once; up to `queueMax` more wait (FIFO) at most `queueTimeoutMs` for a slot; the rest are shed
 * at once. Callback-based, with no promise or timer on the fast path: it runs on every request.
 * Not cockatiel's bulkhead(limit, queue): that has no queue timeout (a waiter waits until a slot
 * frees), no reason to shed with, keeps an aborted waiter queued, and costs a promise per request.
 *
 *   admit ──▶ slot free? ──yes──▶ granted(release)
 *                │ no
 *                ▼
 *            queue full? ──yes──▶ shed('max_in_flight')
 *                │ no
 *                ▼
 *            wait (FIFO) ──queueTimeoutMs──▶ shed('queue_timeout')
 *                ▼ a release hands its slot straight to the first waiter
 *            granted(release)
 */
import { createFifoPermits, type Release } from './fifo-permits.js';

export type { Release } from './fifo-permits.js';

/** Why a request was refused; the `reason` label of `http_requests_shed_total`. */
export type ShedReason = 'max_in_flight' | 'queue_timeout' | 'event_loop_delay' | 'heap';

export interface AdmissionGateOptions {
  maxInFlight: number;
  /** Requests allowed to wait for a slot; 0: none wait. */
  queueMax: number;
  /** Longest wait for a slot, in ms. */
  queueTimeoutMs: number;
}

export interface AdmissionGate {
  /**
   * Calls `granted` (synchronously when a slot is free) or `shed` exactly once. When the request
   * has to wait, returns a cancel function to call if its client goes away meanwhile.
   */
  admit(granted: (release: Release) => void, shed: (reason: ShedReason) => void): (() => void) | undefined;
  /** Requests holding a slot. */
  running(): number;
  /** Requests waiting for one. */
  queued(): number;
}

/** Builds an {@link AdmissionGate}. */
export function createAdmissionGate(options: AdmissionGateOptions): AdmissionGate {
  const { maxInFlight, queueMax, queueTimeoutMs } = options;
  const permits = createFifoPermits(maxInFlight);

  return {
    admit(granted, shed) {
      const release = permits.tryTake();
      if (release !== undefined) {
        granted(release);
        return undefined;
      }
      if (permits.waiting() >= queueMax || queueTimeoutMs === 0) {
        shed('max_in_flight');
        return undefined;
      }
      const timer = setTimeout(() => {
        leave();
        shed('queue_timeout');
      }, queueTimeoutMs);
      const leave = permits.wait((release) => {
        clearTimeout(timer);
        granted(release);
      });
      return () => {
        if (leave()) clearTimeout(timer);
      };
    },
    running: () => permits.held(),
    queued: () => permits.waiting(),
  };
}
