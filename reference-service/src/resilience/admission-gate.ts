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
import { createFifoPermits, type FifoWaitOptions, type Release } from '../../../protocol/index.js';

export type { Release } from '../../../protocol/index.js';

/** Why a request was refused; the `reason` label of `http_requests_shed_total`. */
export type ShedReason = 'max_in_flight' | 'queue_timeout' | 'event_loop_delay' | 'heap';

export interface AdmissionGateOptions {
  maxInFlight: number;
  /** Requests allowed to wait for a slot; 0: none wait. */
  queueMax: number;
  /** Longest wait for a slot, in ms; 0: none wait. */
  queueTimeoutMs: number;
}

export interface AdmissionGate {
  /**
   * Calls `granted` (synchronously when a slot is free) or `shed` exactly once. When the request
   * has to wait, returns a cancel function to call if its client goes away meanwhile (then
   * neither is called).
   */
  admit(granted: (release: Release) => void, shed: (reason: ShedReason) => void): (() => void) | undefined;
  /** A slot now if one is free (nobody waits then), else undefined; never waits, never sheds. */
  tryTake(): Release | undefined;
  /** Requests holding a slot. */
  running(): number;
  /** Requests waiting for one. */
  queued(): number;
}

/** Builds an {@link AdmissionGate} on the shared FIFO permit queue (protocol/fifo-permits.ts). */
export function createAdmissionGate(options: AdmissionGateOptions): AdmissionGate {
  const { maxInFlight, queueMax, queueTimeoutMs } = options;
  const permits = createFifoPermits({
    capacity: maxInFlight,
    queueMax: queueTimeoutMs === 0 ? 0 : queueMax,
  });
  // Made once: nothing is allocated per request beyond the release of a granted slot.
  const wait: FifoWaitOptions = { timeoutMs: queueTimeoutMs };

  return {
    admit(granted, shed) {
      // The fast path: a free slot costs one release function, as before the queue was shared.
      const release = permits.tryTake();
      if (release !== undefined) {
        granted(release);
        return undefined;
      }
      return permits.acquire(
        granted,
        (reason) => {
          // 'aborted' is the caller's own cancel: its client is gone, there is no one to shed.
          if (reason === 'timeout') shed('queue_timeout');
          else if (reason !== 'aborted') shed('max_in_flight');
        },
        wait,
      );
    },
    tryTake: () => permits.tryTake(),
    running: () => permits.held(),
    queued: () => permits.waiting(),
  };
}
