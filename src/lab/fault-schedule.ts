/**
 * Follows the plan's fault windows during the load: adds each fault's toxic through the proxy's
 * admin API (Toxiproxy-compatible) at its start and removes it at its end, on the load's clock, and
 * records when each really happened.
 *
 *   load zero ──(startMs)──▶ POST /proxies/{on}/toxics ──(endMs)──▶ DELETE /proxies/{on}/toxics/{name}
 *                                  │ startS = answered                      │ endS = asked for
 *   finish(): windows still open are removed now and end now (an interrupted run cuts them here)
 *
 * A `down` window disables the dependency's proxy instead (`POST /proxies/{on}` with
 * `{"enabled": false}`, as Toxiproxy does) and enables it again at its end; while two down windows
 * on one proxy overlap, it comes back only when the last of them ends.
 *
 * A POST that was sent but got no answer (timeout, lost reply) may still have applied the toxic, so
 * every window whose POST was sent gets its DELETE (a 404 there means there was nothing to remove);
 * only a window whose POST never went out is skipped. finish() waits for removals already under way.
 */
import type { FaultRecord } from '../results/index.js';
import type { PlannedFault } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';

/** What the schedule needs. */
export interface FaultScheduleOptions {
  faults: readonly PlannedFault[];
  /** The proxy's admin API base URL. */
  adminUrl: string;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
  /** Time limit of each admin API call, ms (default 5000). */
  callTimeoutMs?: number;
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
  /** The POST, from when it was sent; settles when it is answered or fails. */
  applying?: Promise<void>;
  /** The removal, from when it was first asked for (at the window's end or by finish()). */
  removing?: Promise<void>;
}

/** Builds the schedule for `faults`; nothing happens before {@link FaultSchedule.begin}. */
export function createFaultSchedule(options: FaultScheduleOptions): FaultSchedule {
  const now = options.now ?? Date.now;
  const timeoutMs = options.callTimeoutMs ?? 5000;
  const admin = (method: string, path: string, body?: unknown) =>
    call(options.adminUrl, { method, path, body, timeoutMs });
  const states: WindowState[] = options.faults.map((fault) => ({ fault }));
  const timers = new Set<NodeJS.Timeout>();
  /** Down windows applied and not yet ended, by proxy name. */
  const downOpen = new Map<string, number>();
  let zero = 0;
  let finished = false;
  const sinceZeroS = (): number => Math.round(now() - zero) / 1000;

  const at = (ms: number, step: () => void, again = true): void => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        // Timers run on a monotonic clock and may fire a millisecond early by the wall clock: wait once more.
        if (again && zero + ms > now()) at(ms, step, false);
        else step();
      },
      Math.max(0, zero + ms - now()),
    );
    timers.add(timer);
  };

  const proxyPath = (fault: PlannedFault): string => `/proxies/${enc(fault.on)}`;
  const apply = (state: WindowState): void => {
    if (finished) return;
    const { fault } = state;
    if (fault.toxic === undefined) downOpen.set(fault.on, (downOpen.get(fault.on) ?? 0) + 1);
    const request =
      fault.toxic === undefined
        ? admin('POST', proxyPath(fault), { enabled: false })
        : admin('POST', `${proxyPath(fault)}/toxics`, fault.toxic);
    state.applying = request
      .then(() => {
        state.startS = sinceZeroS();
      })
      .catch((error: unknown) => {
        state.error = `apply: ${(error as Error).message}`;
      });
  };

  const removeOnce = async (state: WindowState): Promise<void> => {
    if (state.applying === undefined) return; // the POST never went out: nothing to remove
    await state.applying;
    // The window ends when removal is asked for: from then on the proxy lets traffic pass.
    state.endS = sinceZeroS();
    if (state.fault.toxic === undefined) return restore(state);
    const path = `${proxyPath(state.fault)}/toxics/${enc(state.fault.toxic.name)}`;
    await admin('DELETE', path).catch((error: unknown) => {
      // No such toxic: the POST did not apply it after all, or it is gone already. Either way it is off.
      if ((error as AdminCallError).status === 404) return;
      const removal = `remove: ${(error as Error).message}`;
      state.error = state.error === undefined ? removal : `${state.error}; ${removal}`;
    });
  };
  /** Ends a down window: the proxy is enabled again unless another down window on it is still open. */
  const restore = async (state: WindowState): Promise<void> => {
    const left = (downOpen.get(state.fault.on) ?? 1) - 1;
    downOpen.set(state.fault.on, left);
    if (left > 0) return;
    await admin('POST', proxyPath(state.fault), { enabled: true }).catch((error: unknown) => {
      const removal = `restore: ${(error as Error).message}`;
      state.error = state.error === undefined ? removal : `${state.error}; ${removal}`;
    });
  };
  const remove = (state: WindowState): Promise<void> => (state.removing ??= removeOnce(state));

  return {
    async prepare() {
      let names: string[];
      try {
        const res = await fetch(`${options.adminUrl}/proxies`, { signal: AbortSignal.timeout(timeoutMs) });
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
  const { toxic } = fault;
  const startS = state.startS ?? fault.startMs / 1000;
  return {
    name: fault.name,
    on: fault.on,
    kind: fault.kind,
    // A down window takes every connection, both ways.
    attributes: toxic === undefined ? {} : { ...toxic.attributes },
    stream: toxic?.stream ?? 'downstream',
    toxicity: toxic?.toxicity ?? 1,
    ...(toxic?.match === undefined ? {} : { match: { ...toxic.match } }),
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

/** An admin API call's failure; `status` is set when the API answered (non-2xx). */
type AdminCallError = Error & { status?: number };

/** One admin API call; rejects with the API's own error message (and `status`) on a non-2xx answer. */
async function call(
  base: string,
  request: { method: string; path: string; body?: unknown; timeoutMs: number },
): Promise<void> {
  const { method, path, body } = request;
  const res = await fetch(`${base}${path}`, {
    method,
    signal: AbortSignal.timeout(request.timeoutMs),
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
    const error: AdminCallError = new Error(`${method} ${path} answered ${res.status}: ${message}`);
    error.status = res.status;
    throw error;
  }
}
