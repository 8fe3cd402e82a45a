/**
 * Collects the service's once-a-second telemetry during a run and lines it up with the load's
 * clock. Two sources, one shape (TelemetryMessage):
 *
 *   reference service (child) ── IPC { type: 'telemetry', atMs, intervalMs, sample } ──┐
 *   external target ─── GET /metrics every 1 s, one keep-alive connection ─────────────┴─▶ collector
 *                       (TLS, headers, Host, protocol: as the load reaches the target)
 *
 * A sample covering [atMs − intervalMs, atMs) belongs to the load second its midpoint falls in. Jitter
 * near a second's edge can put two samples in one second and none in the next: the extra one then
 * goes to the nearest neighbouring second that no sample fell in (see {@link alignSamples}).
 */
import { errorKindStep, transportErrorKind, type TransportErrorKind } from '../load/index.js';
import {
  isTelemetryMessage,
  startPromScraper,
  type MetricsReach,
  type PromScraper,
  type ServiceSample,
  type TelemetryMessage,
} from '../telemetry/index.js';
import type { TelemetryInfo } from '../results/index.js';
import type { RunningChild } from './child-process.js';

/**
 * Where the samples come from: a child's IPC channel, or a target's /metrics (each read bounded in
 * time and size, reached as `reach` says: the load's TLS settings, headers and protocol).
 */
export type TelemetrySource =
  | { child: RunningChild }
  | { url: string; reach?: MetricsReach; scrapeTimeoutMs?: number; scrapeMaxBytes?: number };

export interface TelemetryCollector {
  /** Samples by load second t (seconds since `startEpochMs`), for t in [0, seconds). */
  aligned(startEpochMs: number, seconds: number): Map<number, ServiceSample>;
  /** How telemetry went, for result.telemetry. */
  info(): TelemetryInfo;
  /** Stops listening or scraping; safe to call more than once. */
  stop(): Promise<void>;
}

/** Samples kept at most (a day of seconds); later ones are dropped. */
const maxSamples = 86_400;

/** Starts collecting at once. */
export function startTelemetryCollector(source: TelemetrySource): TelemetryCollector {
  const messages: TelemetryMessage[] = [];
  const add = (message: TelemetryMessage) => {
    if (messages.length < maxSamples) messages.push(message);
  };
  let stopSource: () => Promise<void>;
  let note: () => string | undefined;
  let errorKind: () => TransportErrorKind | undefined = () => undefined;
  if ('child' in source) {
    const off = source.child.onMessage((m) => {
      if (isTelemetryMessage(m)) add(m);
    });
    stopSource = async () => off();
    note = () => (messages.length === 0 ? 'the service sent no telemetry' : undefined);
  } else {
    const scraper = startPromScraper({
      url: source.url,
      ...(source.reach === undefined ? {} : { reach: source.reach }),
      onSample: add,
      ...(source.scrapeTimeoutMs === undefined ? {} : { timeoutMs: source.scrapeTimeoutMs }),
      ...(source.scrapeMaxBytes === undefined ? {} : { maxBytes: source.scrapeMaxBytes }),
    });
    stopSource = () => scraper.stop();
    errorKind = () => failureKind(scraper);
    note = () => {
      if (scraper.stoppedBecause !== undefined) return scraper.stoppedBecause;
      const last = scraper.lastFailure === undefined ? '' : ` (last: ${lastFailureText(scraper)})`;
      if (messages.length === 0) return `no two successive scrapes of /metrics succeeded${last}`;
      return scraper.failures > 0 ? `${scraper.failures} scrape(s) of /metrics failed${last}` : undefined;
    };
  }
  let stopped: Promise<void> | undefined;
  return {
    aligned(startEpochMs, seconds) {
      return alignSamples(messages, startEpochMs, seconds);
    },
    info() {
      const why = note();
      const kind = why === undefined ? undefined : errorKind();
      return {
        source: 'child' in source ? 'ipc' : 'prometheus',
        samples: messages.length,
        ...(why === undefined ? {} : { note: why }),
        ...(kind === undefined ? {} : { errorKind: kind }),
      };
    },
    stop() {
      stopped ??= stopSource();
      return stopped;
    },
  };
}

/** The error kind of the scraper's last failure, when a step of reaching the target failed (not for "other"). */
function failureKind(scraper: PromScraper): TransportErrorKind | undefined {
  if (scraper.lastError === undefined) return undefined;
  const kind = transportErrorKind(scraper.lastError);
  return kind === 'other' ? undefined : kind;
}

/** The last failure, naming the step that failed and its error kind as the load's errors do. */
function lastFailureText(scraper: PromScraper): string | undefined {
  const kind = failureKind(scraper);
  if (kind === undefined) return scraper.lastFailure;
  const detail = (scraper.lastError as Error).message;
  return `GET /metrics failed at ${errorKindStep[kind]} (error kind "${kind}"): ${detail}`;
}

/**
 * Lines samples up with load seconds [0, `seconds`) of a load that started at `startEpochMs`. Each
 * sample goes to the second its midpoint falls in; where several fall in one second, the earliest
 * may move back and the latest forward by one second into a second no sample fell in (in time
 * order, so the samples stay in order), and of those left the one nearest the second's middle stays.
 */
export function alignSamples(
  messages: readonly TelemetryMessage[],
  startEpochMs: number,
  seconds: number,
): Map<number, ServiceSample> {
  const midS = (m: TelemetryMessage) => (m.atMs - m.intervalMs / 2 - startEpochMs) / 1000;
  const bySecond = new Map<number, TelemetryMessage[]>();
  for (const m of [...messages].sort((a, b) => midS(a) - midS(b))) {
    const t = Math.floor(midS(m));
    if (t < 0 || t >= seconds) continue;
    const group = bySecond.get(t);
    if (group === undefined) bySecond.set(t, [m]);
    else group.push(m);
  }
  const out = new Map<number, ServiceSample>();
  const free = (t: number) => t >= 0 && t < seconds && !bySecond.has(t) && !out.has(t);
  const off = (m: TelemetryMessage, t: number) => Math.abs(midS(m) - (t + 0.5));
  for (const t of [...bySecond.keys()].sort((a, b) => a - b)) {
    const group = [...(bySecond.get(t) as TelemetryMessage[])];
    let back = group.length > 1 && free(t - 1);
    let forward = group.length > 1 && free(t + 1);
    if (back && forward && group.length === 2) {
      // One sample too many and room on both sides: make the move that shifts the samples least.
      const [a, b] = group as [TelemetryMessage, TelemetryMessage];
      if (off(a, t - 1) + off(b, t) < off(a, t) + off(b, t + 1)) forward = false;
      else back = false;
    }
    if (forward) out.set(t + 1, (group.pop() as TelemetryMessage).sample);
    if (back) out.set(t - 1, (group.shift() as TelemetryMessage).sample);
    const stay = group.reduce((best, m) => (off(m, t) < off(best, t) ? m : best));
    out.set(t, stay.sample);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a - b));
}
