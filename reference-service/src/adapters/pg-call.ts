/**
 * One store call on a pooled PostgreSQL connection, cut short by its deadline: on abort the caller
 * is answered at once and the connection destroyed (a statement still running on it would
 * otherwise hold it); a connection that arrives after the abort goes straight back to the pool.
 * `freed` settles only once pg holds nothing for the call any more (its connect has settled and
 * the connection is back or destroyed): the gate slot is handed back then, not at the abort, so
 * pg's own unbounded wait list stays empty. And how whatever such a call throws becomes one of the
 * service's errors.
 */
import type pg from 'pg';
import { isServiceError, serviceError, type ServiceError } from '../errors.js';
import type { DbOp } from '../metrics.js';

/** Node and SQLSTATE codes meaning "no connection": the database is down or not accepting. */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** One use of a pooled connection under a deadline (see the top of this file). */
export class Attempt {
  /** True once a connection was obtained: a failure after it is not "unavailable". */
  connected = false;
  #client: pg.PoolClient | undefined;
  #released = false;
  #aborted = false;
  readonly #pool: pg.Pool;
  #onFreed!: () => void;
  /** Settles once pg holds nothing for this call: no connect pending, the connection released. */
  readonly freed = new Promise<void>((resolve) => (this.#onFreed = resolve));

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  run<T>(work: (client: pg.PoolClient) => Promise<T>, signal: AbortSignal): Promise<T> {
    const pending = (async () => {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (err) {
        this.#onFreed();
        throw err;
      }
      this.#client = client;
      this.connected = true;
      if (this.#aborted) {
        this.#release(false);
        throw signal.reason as Error;
      }
      try {
        const value = await work(client);
        this.#release(false);
        return value;
      } catch (err) {
        // A failed statement may leave a transaction open or the connection broken: never reuse it.
        this.#release(true);
        throw err;
      }
    })();
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.#aborted = true;
        this.#release(true);
        reject(signal.reason as Error);
      };
      pending.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err as Error);
        },
      );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(destroy: boolean): void {
    if (this.#released || this.#client === undefined) return;
    this.#released = true;
    // pg-pool drops the client from its count right here (a destroyed one is ended in the background).
    this.#client.release(destroy ? true : undefined);
    this.#onFreed();
  }
}

/**
 * Turns whatever a call threw into a ServiceError, preferring the deadline's own reason: no
 * connection → store_unavailable; statement_timeout → store_timeout; a connection lost
 * mid-call → store_unreachable; anything else → store_failed.
 */
export function classify(err: unknown, signal: AbortSignal, op: DbOp, connected: boolean): ServiceError {
  if (signal.aborted && isServiceError(signal.reason)) return signal.reason;
  if (isServiceError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  if (code === '57014') return serviceError('store_timeout', `store call ${op} hit statement_timeout`, err);
  if ((typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) || !connected) {
    return serviceError(
      'store_unavailable',
      `store is down: ${op} could not get a connection (${detail})`,
      err,
    );
  }
  if (code === undefined || code === 'ECONNRESET' || code === 'EPIPE') {
    return serviceError('store_unreachable', `store connection lost during ${op}: ${detail}`, err);
  }
  return serviceError('store_failed', `store call ${op} failed: ${detail}`, err);
}
