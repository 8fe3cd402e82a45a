/**
 * The simulated database's data: users 1..n derived on demand from (seed, id), so a data set of
 * ten million users costs nothing up front, plus the users written since start in a Map and the
 * ids deleted since start in a Set.
 */
import { z } from 'zod';
import { deriveSeed } from '../../protocol/index.js';

/** A user as the simulated database returns it. */
export interface User {
  id: number;
  name: string;
  email: string;
}

/** The body of `POST /users` and `PUT /users/:id`. */
export const userInputSchema = z.object({
  name: z.string().min(1).max(200),
  email: z.string().min(3).max(320).optional(),
});

export type UserInput = z.output<typeof userInputSchema>;

/** Seeded users plus the users written since start. */
export interface UserStore {
  /** The user with `id`, or undefined when there is none. */
  get(id: number): User | undefined;
  /** Stores a new user under the next free id (n + 1, n + 2, ...). */
  create(input: UserInput): User;
  /** Replaces the user with `id` by `input`; undefined (nothing stored) when there is none. */
  put(id: number, input: UserInput): User | undefined;
  /** Deletes the user with `id`; false when there was none. */
  delete(id: number): boolean;
}

/** A store whose seeded users are 1..`users`, named after a hash of (`seed`, id). */
export function createUserStore(users: number, seed: number): UserStore {
  const written = new Map<number, User>();
  // Seeded users are derived on demand, so a deleted one is remembered here instead.
  const deleted = new Set<number>();
  let nextId = users + 1;
  const save = (id: number, input: UserInput): User => {
    const user = { id, name: input.name, email: input.email ?? `user-${id}@example.test` };
    written.set(id, user);
    return user;
  };
  return {
    get(id) {
      const user = written.get(id);
      if (user !== undefined) return user;
      if (!Number.isSafeInteger(id) || id < 1 || id > users || deleted.has(id)) return undefined;
      const tag = deriveSeed(seed, `user:${id}`).toString(16).padStart(8, '0');
      return { id, name: `user-${id}-${tag}`, email: `user-${id}-${tag}@example.test` };
    },
    create(input) {
      while (written.has(nextId)) nextId++;
      return save(nextId++, input);
    },
    put(id, input) {
      return this.get(id) === undefined ? undefined : save(id, input);
    },
    delete(id) {
      if (this.get(id) === undefined) return false;
      written.delete(id);
      if (id <= users) deleted.add(id);
      return true;
    },
  };
}
