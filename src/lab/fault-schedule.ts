/**
 * Follows the plan's fault windows during the load: adds each fault's toxic through the proxy's
 * admin API (Toxiproxy-compatible) at its start and removes it at its end, on the load's clock, and
 * records when each really happened.
 *
 *   load zero ──(startMs)──▶ POST /proxies/{on}/toxics ──(endMs)──▶ DELETE /proxies/{on}/toxics/{name}
 *                                  │ startS = answered                      │ endS = answered
 *   finish(): windows still open are removed now and end now (an interrupted run cuts them here)
 */
import type { FaultRecord } from '../results/types.js';
import type { PlannedFault } from '../scenario/index.js';
import { loadlabError } from '../shared/errors.js';

/** What the schedule needs. */
export interface FaultScheduleOptions {
  faults: readonly PlannedFault[];
  /** The proxy's admin API base URL. */
  adminUrl: string;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
}

/** A running schedule. */
export interface FaultSchedule {
  /**
   * Checks, before the load, that the proxy has a proxy for every fault's `on` (a BAD_FLAG error
   * naming the missing ones otherwise), and warms the connection so the first window starts on time.
   */
  prepare(): Promise<void>;
  /** Starts following the plan, with time zero at `zeroEpochMs` (the load's start). */
  begin(zeroEpochMs: number): void;
  /** Stops: pending windows never start, open ones are removed now. Resolves with the windows that happened. */
  finish(): Promise<FaultRecord[]>;
}

interface WindowState {
  fault: PlannedFault;
  startS?: number;
  endS?: number;
  error?: string;
  applying?: Promise<void>;
}

/** Builds the schedule for `faults`; nothing happens before {@link FaultSchedule.begin}. */
export function createFaultSchedule(options: FaultScheduleOptions): FaultSchedule {
  const now = options.now ?? Date.now;
  const states: WindowState[] = options.faults.map((fault) => ({ fault }));
  const timers = new Set<NodeJS.Timeout>();
  let zero = 0;
  let finished = false;
  const sinceZeroS = (): number => Math.round(now() - zero) / 1000;

  const at = (ms: number, step: () => void): void => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        step();
      },
      Math.max(0, zero + ms - now()),
    );
    timers.add(timer);
  };

  const apply = (state: WindowState): void => {
    if (finished) return;
    state.applying = call(
      options.adminUrl,
      'POST',
      `/proxies/${enc(state.fault.on)}/toxics`,
      state.fault.toxic,
    )
      .then(() => {
        state.startS = sinceZeroS();
      })
      .catch((error: unknown) => {
        state.error = `apply: ${(error as Error).message}`;
      });
  };

  const remove = async (state: WindowState): Promise<void> => {
    await state.applying;
    if (state.startS === undefined || state.endS !== undefined) return;
    // The window ends when removal is asked for: from then on the proxy lets traffic pass.
    state.endS = sinceZeroS();
    const path = `/proxies/${enc(state.fault.on)}/toxics/${enc(state.fault.toxic.name)}`;
    await call(options.adminUrl, 'DELETE', path).catch((error: unknown) => {
      state.error = `remove: ${(error as Error).message}`;
    });
  };

  return {
    async prepare() {
      let names: string[];
      try {
        const res = await fetch(`${options.adminUrl}/proxies`, { signal: AbortSignal.timeout(5000) });
        names = Object.keys((await res.json()) as Record<string, unknown>);
      } catch (error) {
        throw loadlabError('TARGET_UNREACHABLE', `the fault proxy at ${options.adminUrl} did not answer`, {
          problems: [`GET ${options.adminUrl}/proxies: ${(error as Error).message}`],
          cause: error,
        });
      }
      const missing = [...new Set(options.faults.map((f) => f.on))].filter((on) => !names.includes(on));
      if (missing.length > 0) {
        throw loadlabError(
          'BAD_FLAG',
          `the fault proxy at ${options.adminUrl} has no proxy for a fault's dependency`,
          {
            problems: missing.map(
              (on) =>
                `faults: on: expected a proxy named "${on}" (it has ${names.join(', ') || 'none'}), found none`,
            ),
          },
        );
      }
    },
    begin(zeroEpochMs) {
      zero = zeroEpochMs;
      for (const state of states) {
        at(state.fault.startMs, () => apply(state));
        at(state.fault.endMs, () => void remove(state));
      }
    },
    async finish() {
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(states.map((state) => remove(state)));
      return states.filter((s) => s.startS !== undefined || s.error !== undefined).map(toRecord);
    },
  };
}

function toRecord(state: WindowState): FaultRecord {
  const { fault } = state;
  const startS = state.startS ?? fault.startMs / 1000;
  return {
    on: fault.on,
    kind: fault.kind,
    attributes: { ...fault.toxic.attributes },
    stream: fault.toxic.stream,
    toxicity: fault.toxic.toxicity,
    ...(fault.toxic.match === undefined ? {} : { match: { ...fault.toxic.match } }),
    startS,
    endS: state.endS ?? startS,
    plannedStartS: fault.startMs / 1000,
    plannedEndS: fault.endMs / 1000,
    ...(state.error === undefined ? {} : { error: state.error }),
  };
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

/** One admin API call; rejects with the API's own error message on a non-2xx answer. */
async function call(base: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method,
    signal: AbortSignal.timeout(5000),
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  if (res.status >= 300) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // Not JSON: the raw text is the message.
    }
    throw new Error(`${method} ${path} answered ${res.status}: ${message}`);
  }
}
