/**
 * Why the service could not answer a request as asked. One error type with stable codes; the
 * HTTP layer maps each code to one status and body (http/error-reply.ts) and branches on the
 * code only, never on the message.
 */

/** Every reason the service fails a request, with the HTTP answer it becomes. */
export const serviceErrorCodes = {
  /** Every store connection is busy and the wait queue (`db.pool.queueMax`) is full. */
  pool_queue_full: { status: 503, error: 'overloaded' },
  /** No store connection came free within `db.pool.acquireTimeoutMs`. */
  pool_acquire_timeout: { status: 503, error: 'overloaded' },
  /** The request's own deadline (`server.requestTimeoutMs`) passed. */
  deadline_exceeded: { status: 504, error: 'timeout' },
  /** One store call took longer than `db.queryTimeoutMs` (or undici's own backstop timeouts). */
  store_timeout: { status: 504, error: 'timeout' },
  /** The store answered 5xx, an unexpected status, or a body that is not a user. */
  store_failed: { status: 502, error: 'dependency_failed' },
  /** The store's connection broke during a call: reset or closed mid-answer. */
  store_unreachable: { status: 502, error: 'dependency_failed' },
  /** The store is down: no connection could be made (refused, connect timeout, database starting or shutting down). */
  store_unavailable: { status: 503, error: 'dependency_unavailable' },
  /** An Idempotency-Key was reused with a different body (IETF idempotency-key draft: 422). */
  idempotency_mismatch: { status: 422, error: 'idempotency_mismatch' },
  /** The service is shutting down and its store client is closed. */
  shutting_down: { status: 503, error: 'overloaded' },
  /** The recommendations API answered 5xx or garbage, or could not be reached. */
  recs_failed: { status: 502, error: 'dependency_failed' },
  /** A recommendations call took longer than `recommendations.timeoutMs`. */
  recs_timeout: { status: 504, error: 'timeout' },
  /** The recommendations breaker is open: no call was made. */
  recs_circuit_open: { status: 503, error: 'overloaded' },
} as const satisfies Record<string, { status: number; error: string }>;

export type ServiceErrorCode = keyof typeof serviceErrorCodes;

/** The one error class of the service; build it with {@link serviceError}. */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;

  constructor(code: ServiceErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ServiceError';
    this.code = code;
  }
}

/** Builds a {@link ServiceError} with the given stable code. */
export function serviceError(code: ServiceErrorCode, message: string, cause?: unknown): ServiceError {
  return new ServiceError(code, message, cause);
}

/** True when `err` is a ServiceError, optionally with the given code. */
export function isServiceError(err: unknown, code?: ServiceErrorCode): err is ServiceError {
  return err instanceof ServiceError && (code === undefined || err.code === code);
}
