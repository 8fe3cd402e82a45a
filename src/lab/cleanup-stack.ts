/**
 * One stack of cleanups for a run: each thing started pushes how to stop it; `run()` stops them
 * in reverse order, once, each guarded so one that fails does not skip the rest.
 *
 *   push(stop db) ─ push(stop proxy) ─ push(stop service) ─ push(stop telemetry)
 *   run():  telemetry ▶ service ▶ proxy ▶ db        (a second run() returns the first one's promise)
 */

/** A cleanup that failed: its name and the reason. */
export interface CleanupProblem {
  name: string;
  error: unknown;
}

export class CleanupStack {
  readonly #cleanups: { name: string; fn: () => unknown }[] = [];
  #ran: Promise<CleanupProblem[]> | undefined;

  /** Adds a cleanup; it runs before every cleanup pushed earlier. Pushing after `run()` runs it at once. */
  push(name: string, fn: () => unknown): void {
    if (this.#ran !== undefined) {
      const previous = this.#ran;
      this.#ran = previous.then(async (problems) => [...problems, ...(await runOne(name, fn))]);
      return;
    }
    this.#cleanups.push({ name, fn });
  }

  /** Whether `run()` has been called. */
  get ran(): boolean {
    return this.#ran !== undefined;
  }

  /** Runs every cleanup, newest first, each once; resolves with those that failed (never rejects). */
  run(): Promise<CleanupProblem[]> {
    this.#ran ??= (async () => {
      const problems: CleanupProblem[] = [];
      for (const { name, fn } of this.#cleanups.splice(0).reverse())
        problems.push(...(await runOne(name, fn)));
      return problems;
    })();
    return this.#ran;
  }
}

async function runOne(name: string, fn: () => unknown): Promise<CleanupProblem[]> {
  try {
    await fn();
    return [];
  } catch (error) {
    return [{ name, error }];
  }
}
