/**
 * How every store call begins, whichever store: take a permit from the pool gate (a refusal or a
 * deadline passing while queued is reported and rethrown), then give the call its own deadline,
 * min(remaining request deadline, `queryTimeoutMs`), whose reason says which of the two ran out.
 */
import { createDeadline, remainingMs, type CallContext, type Deadline } from '../deadline.js';
import { isServiceError, serviceError } from '../errors.js';
import type { DbOp, DbOutcome } from '../metrics.js';
import type { PoolGate, Release } from './pool-gate.js';

/** A permit and the call's own deadline; dispose the deadline and release the permit when done. */
export interface StoreCall {
  release: Release;
  deadline: Deadline;
}

/** Starts a store call of `op` under `ctx`; rejects with the gate's ServiceError (or the abort reason). */
export async function beginStoreCall(
  gate: PoolGate,
  ctx: CallContext,
  op: DbOp,
  queryTimeoutMs: number,
  onCall?: (op: DbOp, outcome: DbOutcome) => void,
): Promise<StoreCall> {
  let release: Release;
  try {
    release = await gate.acquire(ctx.signal);
  } catch (err) {
    onCall?.(op, isServiceError(err, 'deadline_exceeded') ? 'timeout' : 'rejected');
    throw err;
  }
  const remaining = remainingMs(ctx);
  const deadline = createDeadline(
    Math.min(remaining, queryTimeoutMs),
    () =>
      remaining < queryTimeoutMs
        ? serviceError('deadline_exceeded', 'the request deadline passed during a store call')
        : serviceError('store_timeout', `store call took longer than ${queryTimeoutMs} ms`),
    ctx.signal,
  );
  return { release, deadline };
}
