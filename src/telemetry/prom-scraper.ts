/**
 * Service telemetry for a foreign `--target`: its Prometheus /metrics read once a second over
 * one keep-alive connection (a fresh connection per scrape costs a saturated server ~2.5% on
 * its own, docs/measured-facts.md), each pair of scrapes turned into one service sample.
 *
 *   every intervalMs: GET /metrics ─▶ parsePromText ─▶ readPromReadings ─▶ sampleBetween(prev, cur)
 *   a 404 or a body that is not Prometheus text: stop, the target has no metrics to read
 */
import { Client } from 'undici';
import { readPromReadings, sampleBetween, type PromReadings } from '../../protocol/index.js';
import { parsePromText } from '../../protocol/index.js';
import type { TelemetryMessage } from '../../protocol/index.js';

export interface PromScraperOptions {
  /** The target's base URL; /metrics is read from it. */
  url: string;
  onSample: (message: TelemetryMessage) => void;
  /** Time between scrapes, ms (default 1000). */
  intervalMs?: number;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
  /** Per-scrape timeout, ms (default 800). */
  timeoutMs?: number;
}

export interface PromScraper {
  /** Why scraping stopped early ("GET /metrics answered 404"), or undefined while it works. */
  readonly stoppedBecause: string | undefined;
  /** Scrapes that succeeded so far. */
  readonly scrapes: number;
  /** Stops the timer and closes the connection. */
  stop(): Promise<void>;
}

/** Starts scraping at once; the first sample arrives after the second scrape. */
export function startPromScraper(options: PromScraperOptions): PromScraper {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 800;
  const client = new Client(options.url, {
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  let prev: { atMs: number; readings: PromReadings } | undefined;
  let busy = false;
  let stoppedBecause: string | undefined;
  let scrapes = 0;

  const scrape = async (): Promise<void> => {
    if (busy || stoppedBecause !== undefined) return;
    busy = true;
    try {
      const res = await client.request({ method: 'GET', path: '/metrics', headersTimeout: timeoutMs });
      const text = await res.body.text();
      const atMs = now();
      if (res.statusCode !== 200) {
        if (res.statusCode === 404) halt(`GET /metrics answered ${res.statusCode}`);
        return;
      }
      const samples = parsePromText(text);
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
    } catch {
      // A missed scrape leaves a gap in the series: the next pair of scrapes spans it.
      prev = undefined;
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
    async stop() {
      clearInterval(timer);
      await client.close().catch(() => client.destroy());
    },
  };
}
