/**
 * The recommendations API over HTTP, through an undici Pool of `connections` sockets, behind
 * the resilience policies (cockatiel's shapes; cockatiel itself is not installed here):
 *
 *   get(userId, ctx) ──▶ budget.recordCall()
 *        ┌─▶ breaker.tryAcquire() ──refused──▶ recs_circuit_open (no call, no retry)
 *        │        ▼
 *        │   one attempt under min(remaining request deadline, timeoutMs),
 *        │   first waiting for one of `connections` bulkhead slots ──ok──▶ item ids
 *        │        ▼ failed (5xx, reset, timeout)
 *        │   attempts left, request deadline not passed, budget.tryRetry()? ──no──▶ the error
 *        └── backoff (exponential, jitter; aborted by the request deadline)
 *
 * Every attempt ends in item ids or a ServiceError (recs_failed, recs_timeout, deadline_exceeded,
 * recs_circuit_open); no other error escapes. A call the caller cancels (its signal aborts with a
 * reason other than the request deadline) counts neither way in the breaker.
 */
import { Pool } from 'undici';
import { createDeadline, remainingMs, type CallContext } from '../deadline.js';
import { isServiceError, serviceError, type ServiceError } from '../errors.js';
import {
  createBackoff,
  createBulkhead,
  createCircuitBreaker,
  createRetryBudget,
  type BreakerState,
  type BreakerTicket,
  type Clock,
  type Jitter,
} from '../resilience/index.js';

/** How one attempt ended; the `outcome` label of `recs_calls_total`. */
export type RecsOutcome = 'ok' | 'error' | 'timeout' | 'cancelled' | 'short_circuited';

export interface RecsClientOptions {
  /** Base URL of the recommendations API (or the fault proxy in front of it). */
  recsUrl: string;
  /** Sockets to the API at most. */
  connections: number;
  /** Deadline of one attempt, in ms (within the request's deadline). */
  timeoutMs: number;
  retry: { attempts: number; backoffMs: number; jitter: Jitter; budgetRatio: number };
  breaker: { failureRatio: number; minRequests: number; halfOpenAfterMs: number; windowMs: number };
  now: Clock;
  /** Uniform random in [0, 1), for the backoff jitter. */
  random: () => number;
  onAttempt?: (outcome: RecsOutcome) => void;
  onRetry?: () => void;
  onBudgetExhausted?: () => void;
  onBreakerChange?: (to: BreakerState) => void;
}

export interface RecsClient {
  /** The user's recommended item ids; rejects with a ServiceError. */
  get(userId: number, ctx: CallContext): Promise<number[]>;
  breakerState(): BreakerState;
  /** Drops every connection at once. */
  close(): Promise<void>;
}

// undici's own timeouts are a backstop behind the per-attempt signal (FIELD-NOTES: 300 s defaults).
const backstopSlackMs = 1000;

/** Builds a {@link RecsClient}. */
export function createRecsClient(options: RecsClientOptions): RecsClient {
  const { timeoutMs, retry, now, onAttempt, onRetry, onBudgetExhausted } = options;
  const base = new URL(options.recsUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections,
    headersTimeout: timeoutMs + backstopSlackMs,
    bodyTimeout: timeoutMs + backstopSlackMs,
    connectTimeout: timeoutMs + backstopSlackMs,
    keepAliveTimeout: 4000,
  });
  const budget = createRetryBudget({ ratio: retry.budgetRatio, now });
  const backoff = createBackoff({ baseMs: retry.backoffMs, jitter: retry.jitter, random: options.random });
  const breaker = createCircuitBreaker({ ...options.breaker, now, onStateChange: options.onBreakerChange });
  const bulkhead = createBulkhead(options.connections);

  const attempt = async (userId: number, ctx: CallContext, ticket: BreakerTicket): Promise<number[]> => {
    const remaining = remainingMs(ctx);
    const deadline = createDeadline(
      Math.min(remaining, timeoutMs),
      () =>
        remaining < timeoutMs
          ? serviceError('deadline_exceeded', 'the request deadline passed during a recommendations call')
          : serviceError('recs_timeout', `recommendations call took longer than ${timeoutMs} ms`),
      ctx.signal,
    );
    let release: (() => void) | undefined;
    try {
      release = await bulkhead.acquire(deadline.signal);
      const res = await pool.request({
        path: `${prefix}/recommendations/${userId}`,
        method: 'GET',
        signal: deadline.signal,
      });
      if (res.statusCode === 404) {
        await res.body.dump();
        ticket.success();
        onAttempt?.('ok');
        return [];
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw serviceError('recs_failed', `recommendations API answered ${res.statusCode}`);
      }
      const items = asItems(await res.body.json().catch(() => undefined));
      ticket.success();
      onAttempt?.('ok');
      return items;
    } catch (err) {
      const failure = classify(err, deadline.signal);
      if (failure === 'cancelled') {
        ticket.cancel();
        onAttempt?.('cancelled');
        throw ctx.signal.reason;
      }
      ticket.failure();
      onAttempt?.(failure.code === 'recs_failed' ? 'error' : 'timeout');
      throw failure;
    } finally {
      release?.();
      deadline.dispose();
    }
  };

  return {
    async get(userId, ctx) {
      budget.recordCall();
      for (let n = 1; ; n++) {
        const ticket = breaker.tryAcquire();
        if (ticket === undefined) {
          onAttempt?.('short_circuited');
          throw serviceError('recs_circuit_open', 'the recommendations breaker is open');
        }
        try {
          return await attempt(userId, ctx, ticket);
        } catch (err) {
          if (n >= retry.attempts || ctx.signal.aborted || !isServiceError(err)) throw err;
          if (!budget.tryRetry()) {
            onBudgetExhausted?.();
            throw err;
          }
          onRetry?.();
          await sleep(backoff(n), ctx.signal);
        }
      }
    },
    breakerState: () => breaker.state(),
    close: () => pool.destroy(),
  };
}

/** What an attempt's error means: a ServiceError, or 'cancelled' when the caller gave it up. */
function classify(err: unknown, signal: AbortSignal): ServiceError | 'cancelled' {
  if (signal.aborted) return isServiceError(signal.reason) ? signal.reason : 'cancelled';
  if (isServiceError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('UND_ERR_') && code.endsWith('_TIMEOUT')) {
    return serviceError('recs_timeout', `recommendations call timed out (${code})`, err);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return serviceError('recs_failed', `recommendations call failed: ${detail}`, err);
}

function asItems(data: unknown): number[] {
  const items = (data as { items?: unknown } | null | undefined)?.items;
  if (!Array.isArray(items) || !items.every((item) => Number.isSafeInteger(item))) {
    throw serviceError('recs_failed', 'recommendations API sent a body without an items array of ids');
  }
  return items as number[];
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
