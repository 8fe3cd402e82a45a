/**
 * Service telemetry for an external target: its Prometheus /metrics read once a second over
 * one keep-alive connection, made as the load's are (TLS settings, headers, Host, protocol) (a fresh connection per scrape costs a saturated server ~2.5% on
 * its own, docs/measured-facts.md), each pair of scrapes turned into one service sample.
 *
 *   every intervalMs: GET /metrics (≤ timeoutMs, ≤ maxBytes) ─▶ parsePromText ─▶ readPromReadings ─▶ sampleBetween(prev, cur)
 *   a 404, a body that is not Prometheus text, or one larger than maxBytes: stop, say why
 *   a scrape past its deadline: a gap (the next pair spans it)
 *   stop(): the scrape under way is abandoned and the connection dropped at once
 */
import { readPromReadings, sampleBetween, type PromReadings } from '../../protocol/index.js';
import { parsePromText } from '../../protocol/index.js';
import type { TelemetryMessage } from '../../protocol/index.js';
import { createMetricsClient, type MetricsReach } from './metrics-client.js';
import { readMetrics } from './read-metrics.js';

export interface PromScraperOptions {
  /** The target's base URL; /metrics is read from it. */
  url: string;
  /** How to reach it: as the load does (default plain HTTP/1.1). */
  reach?: MetricsReach;
  onSample: (message: TelemetryMessage) => void;
  /** Time between scrapes, ms (default 1000). */
  intervalMs?: number;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
  /** Total time for one scrape, body included, ms (default 800). */
  timeoutMs?: number;
  /** Largest /metrics body read, bytes (default 16 MiB); a larger one stops scraping. */
  maxBytes?: number;
}

export interface PromScraper {
  /** Why scraping stopped early ("GET /metrics answered 404"), or undefined while it works. */
  readonly stoppedBecause: string | undefined;
  /** Scrapes that succeeded so far. */
  readonly scrapes: number;
  /** Scrapes that failed so far (deadline, connection, size), and the last one's reason. */
  readonly failures: number;
  readonly lastFailure: string | undefined;
  /** What the last failed scrape threw (its Node `code` names the failing step), when it threw. */
  readonly lastError: unknown;
  /** Stops the timer, abandons a scrape under way and drops the connection; never waits on the target. */
  stop(): Promise<void>;
}

/** Starts scraping at once; the first sample arrives after the second scrape. */
export function startPromScraper(options: PromScraperOptions): PromScraper {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 800;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const reach = options.reach ?? {};
  const client = createMetricsClient(options.url, reach, timeoutMs);
  const stopping = new AbortController();
  let prev: { atMs: number; readings: PromReadings } | undefined;
  let busy = false;
  let stoppedBecause: string | undefined;
  let scrapes = 0;
  let failures = 0;
  let lastFailure: string | undefined;
  let lastError: unknown;

  const scrape = async (): Promise<void> => {
    if (busy || stoppedBecause !== undefined || stopping.signal.aborted) return;
    busy = true;
    try {
      const read = await readMetrics(
        options.url,
        { deadlineMs: timeoutMs, maxBytes, signal: stopping.signal },
        { dispatcher: client, ...(reach.headers === undefined ? {} : { headers: reach.headers }) },
      );
      const atMs = now();
      if (stopping.signal.aborted) return;
      if (!read.ok) {
        failures++;
        lastFailure = read.reason;
        lastError = read.error;
        // A missed scrape leaves a gap in the series: the next pair of scrapes spans it.
        prev = undefined;
        if (read.kind === 'too-large') halt(read.reason);
        return;
      }
      if (read.status !== 200) {
        if (read.status === 404) halt(`GET /metrics answered ${read.status}`);
        return;
      }
      const samples = parsePromText(read.text);
      if (samples.length === 0) {
        halt('GET /metrics did not answer Prometheus text');
        return;
      }
      scrapes++;
      const readings = readPromReadings(samples);
      if (prev !== undefined) {
        const intervalMs = atMs - prev.atMs;
        options.onSample({
          type: 'telemetry',
          atMs,
          intervalMs,
          sample: sampleBetween(prev.readings, readings, intervalMs / 1000),
        });
      }
      prev = { atMs, readings };
    } finally {
      busy = false;
    }
  };
  const halt = (why: string) => {
    stoppedBecause = why;
    clearInterval(timer);
  };
  const timer = setInterval(() => void scrape(), intervalMs);
  timer.unref();
  void scrape();

  return {
    get stoppedBecause() {
      return stoppedBecause;
    },
    get scrapes() {
      return scrapes;
    },
    get failures() {
      return failures;
    },
    get lastFailure() {
      return lastFailure;
    },
    get lastError() {
      return lastError;
    },
    async stop() {
      clearInterval(timer);
      stopping.abort();
      // destroy, not close: close would wait for a scrape the target may never finish.
      await client.destroy();
    },
  };
}
