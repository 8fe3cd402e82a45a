/**
 * The recommendations API over HTTP, through an undici Pool of `connections` sockets, behind
 * cockatiel policies and the service's retry budget:
 *
 *   get(userId, ctx) ──▶ budget.recordCall()
 *     wrap(retry, breaker) ── BrokenCircuitError ──▶ recs_circuit_open (no call, no retry)
 *        │ one attempt: timeout(timeoutMs, Aggressive; the request deadline aborts it too)
 *        │   └▶ bulkhead(connections): wait for a slot ──▶ undici Pool ──▶ item ids
 *        ▼ the attempt's error, classified (ServiceError + fault):
 *     breaker counts it as a failure only when the dependency is at fault (5xx, reset, garbage,
 *       a timeout after the request was sent); never a 4xx, a wait for a slot, a cancelled call
 *     retry only when retryable (not a 4xx), attempts left, the drawn backoff ends before the
 *       request deadline, and budget.tryRetry() (refused: recs_retry_budget_exhausted_total)
 *
 * Every call ends in item ids or a ServiceError (recs_failed, recs_timeout, deadline_exceeded,
 * recs_circuit_open), or the caller's own abort reason when the caller cancelled it.
 */
import {
  BrokenCircuitError,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { Pool } from 'undici';
import { remainingMs, type CallContext } from '../deadline.js';
import { isServiceError, serviceError, type ServiceError } from '../errors.js';
import {
  breakerStateOf,
  createBackoff,
  createRetryBudget,
  createSamplingBreaker,
  type BreakerState,
  type Clock,
  type Jitter,
} from '../resilience/index.js';

/** How one attempt ended; the `outcome` label of `recs_calls_total`. */
export type RecsOutcome = 'ok' | 'error' | 'timeout' | 'cancelled' | 'short_circuited';

export interface RecsClientOptions {
  /** Base URL of the recommendations API (or the fault proxy in front of it). */
  recsUrl: string;
  /** Sockets to the API at most; calls beyond them wait for one (cockatiel bulkhead). */
  connections: number;
  /** Deadline of one attempt, in ms, waiting for a socket included (within the request's deadline). */
  timeoutMs: number;
  retry: { attempts: number; backoffMs: number; jitter: Jitter; budgetRatio: number };
  breaker: { failureRatio: number; minRequests: number; halfOpenAfterMs: number; windowMs: number };
  /** Clock of the retry budget's window, in ms (cockatiel's breaker reads Date.now itself). */
  now: Clock;
  /** Uniform random in [0, 1), for the backoff jitter. */
  random: () => number;
  onAttempt?: (outcome: RecsOutcome) => void;
  onRetry?: () => void;
  onBudgetExhausted?: () => void;
  onBreakerChange?: (to: BreakerState) => void;
}

export interface RecsClient {
  /** The user's recommended item ids; rejects with a ServiceError (or the caller's abort reason). */
  get(userId: number, ctx: CallContext): Promise<number[]>;
  breakerState(): BreakerState;
  /** Drops every connection at once. */
  close(): Promise<void>;
}

/**
 * Whose fault a failed attempt was. dependency: counts against the breaker and may be retried;
 * caller: a 4xx, neither; waiting: timed out before a socket was free (our own saturation, not the
 * dependency's), retried but not counted.
 */
type Fault = 'dependency' | 'caller' | 'waiting';

// undici's own timeouts are a backstop behind the per-attempt signal (docs/measured-facts.md: 300 s defaults).
const backstopSlackMs = 1000;

/** Builds a {@link RecsClient}. */
export function createRecsClient(options: RecsClientOptions): RecsClient {
  const { timeoutMs, retry: retryKnobs, onAttempt, onRetry, onBudgetExhausted } = options;
  const base = new URL(options.recsUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections,
    headersTimeout: timeoutMs + backstopSlackMs,
    bodyTimeout: timeoutMs + backstopSlackMs,
    connectTimeout: timeoutMs + backstopSlackMs,
    keepAliveTimeout: 4000,
  });
  const faults = new WeakMap<ServiceError, Fault>();
  const budget = createRetryBudget({ ratio: retryKnobs.budgetRatio, now: options.now });
  const drawBackoff = createBackoff({
    baseMs: retryKnobs.backoffMs,
    jitter: retryKnobs.jitter,
    random: options.random,
  });
  const breaker = circuitBreaker(
    handleWhen((err) => isServiceError(err) && faults.get(err) === 'dependency'),
    { halfOpenAfter: options.breaker.halfOpenAfterMs, breaker: createSamplingBreaker(options.breaker) },
  );
  breaker.onStateChange((state) => options.onBreakerChange?.(breakerStateOf(state)));
  // Aggressive: the attempt ends when its time is up, even while its undici request is still
  // being torn down; the bulkhead slot is given back when that request settles. abortOnReturn off:
  // the attempt's signal is then aborted only if its time ran out (or the request's deadline
  // passed), which is how a failed attempt is told from a timed-out one.
  const attemptTimeout = timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  // No queue limit of its own: every waiter is a request admitted by the server's admission gate
  // and bounded by its deadline.
  const sockets = bulkhead(options.connections, Number.POSITIVE_INFINITY);

  const fetchItems = async (userId: number, signal: AbortSignal): Promise<number[]> => {
    const res = await pool.request({ path: `${prefix}/recommendations/${userId}`, method: 'GET', signal });
    if (res.statusCode === 404) {
      await res.body.dump();
      return [];
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      const err = serviceError('recs_failed', `recommendations API answered ${res.statusCode}`);
      faults.set(err, res.statusCode >= 400 && res.statusCode < 500 ? 'caller' : 'dependency');
      throw err;
    }
    return asItems(await res.body.json().catch(() => undefined));
  };

  /** One attempt, its error turned into a ServiceError with a fault (or the caller's abort reason). */
  const attempt = async (userId: number, ctx: CallContext, signal: AbortSignal): Promise<number[]> => {
    let attemptSignal: AbortSignal | undefined;
    let started = false;
    try {
      const items = await attemptTimeout.execute(({ signal: timed }) => {
        attemptSignal = timed;
        // Not given the signal: cockatiel's bulkhead leaves an aborted waiter queued and, once
        // dequeued, rejects it without starting the next one. Here the waiter runs, sees its
        // signal aborted and returns the slot at once, so the queue keeps moving.
        return sockets.execute(() => {
          if (timed.aborted) throw new TaskCancelledError('gave up waiting for a recommendations socket');
          started = true;
          return fetchItems(userId, timed);
        });
      }, signal);
      onAttempt?.('ok');
      return items;
    } catch (err) {
      const failure = classify(err, ctx, attemptSignal?.aborted === true, timeoutMs);
      if (failure === 'cancelled') {
        onAttempt?.('cancelled');
        throw ctx.signal.reason;
      }
      if (!faults.has(failure)) faults.set(failure, started ? 'dependency' : 'waiting');
      onAttempt?.(failure.code === 'recs_failed' ? 'error' : 'timeout');
      throw failure;
    }
  };

  return {
    async get(userId, ctx) {
      budget.recordCall();
      let attempts = 0;
      let nextBackoffMs = 0;
      const mayRetry = (err: Error): boolean => {
        if (!isServiceError(err) || err.code === 'deadline_exceeded' || faults.get(err) === 'caller')
          return false;
        if (attempts >= retryKnobs.attempts || ctx.signal.aborted) return false;
        nextBackoffMs = drawBackoff(attempts);
        // A retry that could not begin before the request's deadline is not worth a budget token.
        if (nextBackoffMs >= remainingMs(ctx)) return false;
        if (!budget.tryRetry()) {
          onBudgetExhausted?.();
          return false;
        }
        return true;
      };
      const retries = retry(handleWhen(mayRetry), {
        maxAttempts: retryKnobs.attempts - 1,
        backoff: new DelegateBackoff(() => nextBackoffMs),
      });
      retries.onRetry(() => onRetry?.());
      try {
        return await wrap(retries, breaker).execute(({ signal }) => {
          attempts++;
          return attempt(userId, ctx, signal);
        }, ctx.signal);
      } catch (err) {
        if (!(err instanceof BrokenCircuitError)) throw err;
        onAttempt?.('short_circuited');
        throw serviceError('recs_circuit_open', 'the recommendations breaker is open', err);
      }
    },
    breakerState: () => breakerStateOf(breaker.state),
    close: () => pool.destroy(),
  };
}

/**
 * What an attempt's error means: the request deadline's ServiceError, 'cancelled' when the caller
 * gave the call up, recs_timeout when the attempt's own time ran out, else a ServiceError.
 */
function classify(
  err: unknown,
  ctx: CallContext,
  timedOut: boolean,
  timeoutMs: number,
): ServiceError | 'cancelled' {
  if (ctx.signal.aborted) return isServiceError(ctx.signal.reason) ? ctx.signal.reason : 'cancelled';
  if (timedOut || err instanceof TaskCancelledError) {
    return serviceError('recs_timeout', `recommendations call took longer than ${timeoutMs} ms`, err);
  }
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
