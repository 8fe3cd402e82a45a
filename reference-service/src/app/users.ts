/**
 * The service's use cases: read a user (cache-aside in front of the store) and create one.
 * They know nothing of HTTP; each takes the request's deadline and throws ServiceErrors.
 */
import { z } from 'zod';
import type { CallContext } from '../deadline.js';

/** A user as the store keeps it. */
export interface User {
  id: number;
  name: string;
  email?: string;
}

/** The body of `POST /users`: a name of 1..100 characters, an optional email (3..320, as the store accepts), nothing else. */
export const newUserSchema = z.strictObject({
  name: z.string().min(1).max(100),
  email: z.string().min(3).max(320).optional(),
});

export type NewUser = z.output<typeof newUserSchema>;

/** The store of users (a port; adapters/db-client.ts is the HTTP implementation). */
export interface UserStore {
  /** The user, or undefined when the store has none with this id. */
  get(id: number, ctx: CallContext): Promise<User | undefined>;
  create(input: NewUser, ctx: CallContext): Promise<User>;
}

/** A read-through cache of users (a port; adapters/user-cache.ts implements it). */
export interface UserCache {
  /** Reads through the cache; a miss loads from the store. */
  get(id: number, ctx: CallContext): Promise<User | undefined>;
  /** Puts a user just written, so the next read is a hit. */
  put(user: User): void;
}

/** The use cases the HTTP routes call. */
export interface Users {
  get(id: number, ctx: CallContext): Promise<User | undefined>;
  create(input: NewUser, ctx: CallContext): Promise<User>;
}

/** Builds the use cases over a store and a cache that reads through to the same store. */
export function createUsers(deps: { store: UserStore; cache: UserCache }): Users {
  const { store, cache } = deps;
  return {
    get: (id, ctx) => cache.get(id, ctx),
    async create(input, ctx) {
      const user = await store.create(input, ctx);
      cache.put(user);
      return user;
    },
  };
}
