/**
 * The profile use case: the user (cache, then store) and, in parallel, the user's
 * recommendations. When recommendations fail and the fallback is on, the profile is answered
 * anyway, marked `degraded` with the reason; a user that does not exist cancels the
 * recommendations call and is answered as not found.
 *
 *   get(id) ──┬── users.get(id) ───────────────┐  undefined ──▶ cancel recs, not found
 *             └── recs.get(id) ─ fails ─▶ fallback (degraded: true, reason)
 */
import type { CallContext } from '../deadline.js';
import { isServiceError } from '../errors.js';
import type { User, Users } from './users.js';

/** What `GET /users/:id/profile` answers. */
export interface Profile {
  user: User;
  /** Recommended item ids; empty when degraded. */
  recommendations: number[];
  /** True when recommendations could not be had and the fallback answered instead. */
  degraded: boolean;
  /** Why it is degraded: the error code (e.g. `recs_timeout`, `recs_circuit_open`). */
  reason?: string;
}

/** The recommendations port (adapters/recs-client.ts implements it). */
export interface Recommendations {
  get(userId: number, ctx: CallContext): Promise<number[]>;
}

export interface Profiles {
  /** The profile, or undefined when the user does not exist; rejects with a ServiceError. */
  get(id: number, ctx: CallContext): Promise<Profile | undefined>;
}

// The reason a recommendations call is cancelled with: not the dependency's fault.
const notNeeded = new Error('the user does not exist: recommendations not needed');

/**
 * Builds the profile use case. `recs` undefined (no recommendations API configured) answers
 * every profile degraded with reason `recs_not_configured`; `fallback` false lets a
 * recommendations failure fail the request.
 */
export function createProfiles(deps: {
  users: Pick<Users, 'get'>;
  recs: Recommendations | undefined;
  fallback: boolean;
}): Profiles {
  const { users, recs, fallback } = deps;
  return {
    async get(id, ctx) {
      if (recs === undefined) {
        const user = await users.get(id, ctx);
        return user && { user, recommendations: [], degraded: true, reason: 'recs_not_configured' };
      }
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const recsCtx: CallContext = { signal: controller.signal, at: ctx.at };
      // Settled into a result at once, so an abandoned call never rejects unhandled.
      const pending = recs.get(id, recsCtx).then(
        (items) => ({ items }),
        (err: unknown) => ({ err }),
      );
      try {
        const user = await users.get(id, ctx);
        if (user === undefined) {
          controller.abort(notNeeded);
          return undefined;
        }
        const outcome = await pending;
        if ('items' in outcome) return { user, recommendations: outcome.items, degraded: false };
        if (!fallback || !isServiceError(outcome.err)) throw outcome.err;
        return { user, recommendations: [], degraded: true, reason: outcome.err.code };
      } catch (err) {
        controller.abort(notNeeded);
        throw err;
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
