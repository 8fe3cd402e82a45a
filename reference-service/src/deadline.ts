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
 * the parent's reason when `parent` aborts first. The AbortController and the timer are made
 * only when `signal` is first read: most requests are cache hits that never read it, and an
 * AbortController per request was the costliest line of the hot path in a CPU profile.
 */
export function createDeadline(ms: number, reason: () => Error, parent?: AbortSignal): Deadline {
  return new LazyDeadline(performance.now() + Math.max(0, ms), reason, parent);
}

// A class, not a closure: one object per request, its methods shared on the prototype.
class LazyDeadline implements Deadline {
  readonly at: number;
  readonly #reason: () => Error;
  readonly #parent: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #onParentAbort: (() => void) | undefined;
  #disposed = false;

  constructor(at: number, reason: () => Error, parent: AbortSignal | undefined) {
    this.at = at;
    this.#reason = reason;
    this.#parent = parent;
  }

  get signal(): AbortSignal {
    this.#controller ??= this.#arm();
    return this.#controller.signal;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#onParentAbort !== undefined) {
      this.#parent?.removeEventListener('abort', this.#onParentAbort);
      this.#onParentAbort = undefined;
    }
  }

  #arm(): AbortController {
    const armed = new AbortController();
    // A disposed deadline bounds nothing any more: its signal never aborts.
    if (this.#disposed) return armed;
    const parent = this.#parent;
    if (parent?.aborted) {
      armed.abort(parent.reason);
      return armed;
    }
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.dispose();
        armed.abort(this.#reason());
      },
      Math.max(0, this.at - performance.now()),
    );
    if (parent !== undefined) {
      this.#onParentAbort = () => {
        this.dispose();
        armed.abort(parent.reason);
      };
      parent.addEventListener('abort', this.#onParentAbort, { once: true });
    }
    return armed;
  }
}

/** Milliseconds left before `ctx`'s deadline passes (never negative). */
export function remainingMs(ctx: CallContext): number {
  return Math.max(0, ctx.at - performance.now());
}
