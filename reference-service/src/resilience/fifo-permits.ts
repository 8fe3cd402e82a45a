/**
 * The counting core shared by the admission gate and the store's pool gate: `max` permits, and a
 * FIFO of waiters to whom a released permit passes straight on (so no newcomer can overtake one
 * that waits). Callback-based and timer-free: what a waiter does on a timeout or an abort is its
 * owner's business; it leaves the queue with the function `wait` returns.
 */

/** Gives a permit back; calling it more than once has no effect. */
export type Release = () => void;

export interface FifoPermits {
  /** A permit at once, or undefined when all `max` are held. */
  tryTake(): Release | undefined;
  /** Queues `grant`, called with a permit when one passes to it; returns a function that leaves the queue (true when it was still queued). */
  wait(grant: (release: Release) => void): () => boolean;
  /** Permits held. */
  held(): number;
  /** Waiters queued. */
  waiting(): number;
}

/** Builds {@link FifoPermits} with `max` permits. */
export function createFifoPermits(max: number): FifoPermits {
  // A Set iterates in insertion order and deletes in O(1): a FIFO that a departing waiter can leave.
  const queue = new Set<(release: Release) => void>();
  let held = 0;

  const makeRelease = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.values().next();
      if (next.done) {
        held--;
        return;
      }
      queue.delete(next.value);
      next.value(makeRelease());
    };
  };

  return {
    tryTake() {
      if (held >= max) return undefined;
      held++;
      return makeRelease();
    },
    wait(grant) {
      queue.add(grant);
      return () => queue.delete(grant);
    },
    held: () => held,
    waiting: () => queue.size,
  };
}
