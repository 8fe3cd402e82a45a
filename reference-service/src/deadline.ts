/**
 * Deadlines as AbortSignals that flow down a request: the request's own deadline, and inside it
 * the narrower deadline of each store call.
 *
 *   request deadline (server.requestTimeoutMs) ──abort──▶ store call deadline ──signal──▶ undici
 *                                                          min(remaining, db.queryTimeoutMs)
 *
 * Why not `AbortSignal.timeout()` + `AbortSignal.any()`: a timeout signal's timer cannot be
 * cleared, so every finished request would leave a live timer behind until it fires (30k
 * requests/s x 2 s = 60k pending timers). Here one clearable timer per deadline is disposed of
 * as soon as the work ends, and the link to the parent signal is removed with it.
 */

/** The part of a deadline that work below the HTTP layer needs. */
export interface CallContext {
  /** Aborted, with a ServiceError as reason, when the deadline passes. */
  readonly signal: AbortSignal;
  /** `performance.now()` time (ms) at which the deadline passes. */
  readonly at: number;
}

/** A deadline that owns a timer; call `dispose()` when the work it bounds is over. */
export interface Deadline extends CallContext {
  /** Clears the timer and detaches from the parent signal; idempotent. */
  dispose(): void;
}

/**
 * Starts a deadline `ms` from now whose signal aborts with `reason()` when it passes, or with
 * the parent's reason when `parent` aborts first.
 */
export function createDeadline(ms: number, reason: () => Error, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timeoutMs = Math.max(0, ms);
  let timer: NodeJS.Timeout | undefined;
  let onParentAbort: (() => void) | undefined;

  const dispose = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (onParentAbort !== undefined) {
      parent?.removeEventListener('abort', onParentAbort);
      onParentAbort = undefined;
    }
  };

  if (parent?.aborted) {
    controller.abort(parent.reason);
  } else {
    timer = setTimeout(() => {
      timer = undefined;
      dispose();
      controller.abort(reason());
    }, timeoutMs);
    if (parent !== undefined) {
      onParentAbort = () => {
        dispose();
        controller.abort(parent.reason);
      };
      parent.addEventListener('abort', onParentAbort, { once: true });
    }
  }

  return { signal: controller.signal, at: performance.now() + timeoutMs, dispose };
}

/** Milliseconds left before `ctx`'s deadline passes (never negative). */
export function remainingMs(ctx: CallContext): number {
  return Math.max(0, ctx.at - performance.now());
}
