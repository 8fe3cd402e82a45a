/**
 * A start line for runs that must load at the same moment (the two variants of a duet, the
 * shards of one run): each run, once ready, offers the earliest time zero it could take; when
 * every party has offered, all start at the latest of those offers. A party that fails before
 * reaching the line cancels it, so the others do not wait for ever.
 */

/** A start line for `parties` runs; pass `arrive` as the lab's `startAt`. */
export interface StartBarrier {
  arrive(earliestEpochMs: number): Promise<number>;
  /** Rejects every waiting and later arrival with `reason`. */
  cancel(reason: Error): void;
}

export function startBarrier(parties: number): StartBarrier {
  const offers: number[] = [];
  const waiting: { resolve: (t: number) => void; reject: (e: Error) => void }[] = [];
  let cancelled: Error | undefined;
  return {
    arrive(earliestEpochMs) {
      if (cancelled !== undefined) return Promise.reject(cancelled);
      return new Promise<number>((resolve, reject) => {
        offers.push(earliestEpochMs);
        waiting.push({ resolve, reject });
        if (offers.length === parties) {
          const zero = Math.max(...offers);
          for (const w of waiting.splice(0)) w.resolve(zero);
        }
      });
    },
    cancel(reason) {
      cancelled ??= reason;
      for (const w of waiting.splice(0)) w.reject(reason);
    },
  };
}
