/**
 * Collects the service's once-a-second telemetry during a run and lines it up with the load's
 * clock. Two sources, one shape (TelemetryMessage):
 *
 *   reference service (child) ── IPC { type: 'telemetry', atMs, intervalMs, sample } ──┐
 *   foreign --target ── GET /metrics every 1 s, one keep-alive connection ─────────────┴─▶ collector
 *
 * A sample covering [atMs − intervalMs, atMs) belongs to the load second its midpoint falls in.
 */
import {
  isTelemetryMessage,
  startPromScraper,
  type ServiceSample,
  type TelemetryMessage,
} from '../telemetry/index.js';
import type { TelemetryInfo } from '../results/types.js';
import type { RunningChild } from './child-process.js';

/** Where the samples come from: a child's IPC channel, or a target's /metrics. */
export type TelemetrySource = { child: RunningChild } | { url: string };

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
  if ('child' in source) {
    const off = source.child.onMessage((m) => {
      if (isTelemetryMessage(m)) add(m);
    });
    stopSource = async () => off();
    note = () => (messages.length === 0 ? 'the service sent no telemetry' : undefined);
  } else {
    const scraper = startPromScraper({ url: source.url, onSample: add });
    stopSource = () => scraper.stop();
    note = () =>
      scraper.stoppedBecause ??
      (messages.length === 0 ? 'no two successive scrapes of /metrics succeeded' : undefined);
  }
  let stopped: Promise<void> | undefined;
  return {
    aligned(startEpochMs, seconds) {
      const out = new Map<number, ServiceSample>();
      for (const m of messages) {
        const t = Math.floor((m.atMs - m.intervalMs / 2 - startEpochMs) / 1000);
        if (t >= 0 && t < seconds && !out.has(t)) out.set(t, m.sample);
      }
      return out;
    },
    info() {
      const why = note();
      return {
        source: 'child' in source ? 'ipc' : 'prometheus',
        samples: messages.length,
        ...(why === undefined ? {} : { note: why }),
      };
    },
    stop() {
      stopped ??= stopSource();
      return stopped;
    },
  };
}
