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

/** Why a request was refused; the `reason` label of `http_requests_shed_total`. */
export type ShedReason = 'max_in_flight' | 'queue_timeout' | 'event_loop_delay' | 'heap';

export interface AdmissionGateOptions {
  maxInFlight: number;
  /** Requests allowed to wait for a slot; 0: none wait. */
  queueMax: number;
  /** Longest wait for a slot, in ms. */
  queueTimeoutMs: number;
}

/** Ends a granted request's hold on its slot; calling it again has no effect. */
export type Release = () => void;

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

interface Waiter {
  granted: (release: Release) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Builds an {@link AdmissionGate}. */
export function createAdmissionGate(options: AdmissionGateOptions): AdmissionGate {
  const { maxInFlight, queueMax, queueTimeoutMs } = options;
  // Insertion-ordered with O(1) delete: a FIFO a timed-out or departed waiter can leave.
  const waiters = new Set<Waiter>();
  let running = 0;

  const makeRelease = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiters.values().next();
      if (next.done) {
        running--;
        return;
      }
      waiters.delete(next.value);
      clearTimeout(next.value.timer);
      next.value.granted(makeRelease());
    };
  };

  return {
    admit(granted, shed) {
      if (running < maxInFlight) {
        running++;
        granted(makeRelease());
        return undefined;
      }
      if (waiters.size >= queueMax || queueTimeoutMs === 0) {
        shed('max_in_flight');
        return undefined;
      }
      const waiter: Waiter = { granted, timer: undefined };
      waiter.timer = setTimeout(() => {
        waiters.delete(waiter);
        shed('queue_timeout');
      }, queueTimeoutMs);
      waiters.add(waiter);
      return () => {
        if (waiters.delete(waiter)) clearTimeout(waiter.timer);
      };
    },
    running: () => running,
    queued: () => waiters.size,
  };
}
