/**
 * A synthetic result document for report and findings tests: a real histogram and summary, and
 * `seconds` series points whose load and service figures come from functions of t.
 */
import { checkSlo } from '../../src/analysis/index.js';
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
  summarizeLatencyMs,
} from '../../src/metrics/index.js';
import type { ResultDocument, SeriesPoint } from '../../src/results/index.js';
import { scenarioSchema } from '../../src/scenario/schema.js';
import type { ServiceSample } from '../../src/telemetry/index.js';

export interface SyntheticOptions {
  seconds?: number;
  /** Per-second p99 (ms); default 10. */
  p99?: (t: number) => number;
  /** Service figures of second t; none when it returns undefined. */
  service?: (t: number) => ServiceSample | undefined;
  /** Generator figures of second t (series[].generator). */
  generator?: (t: number) => { elu: number; cpuPct?: number } | undefined;
  faults?: { on: string; kind: string; startS: number; endS: number }[];
  requests?: (t: number) => number;
}

/** A typical healthy service second. */
export function healthyService(t: number): ServiceSample {
  return {
    eventLoopDelayMs: { p50: 0.3, p99: 2 + (t % 5), max: 6 },
    elu: 0.35 + (t % 10) / 100,
    heapUsedBytes: 30e6 + (t % 30) * 1e6,
    heapTotalBytes: 64e6,
    rssBytes: 120e6,
    externalBytes: 3e6,
    gcPauseMs: 3 + (t % 4),
    gcCount: 6,
    gcByKind: { minor: { pauseMs: 2 + (t % 4), count: 5 }, major: { pauseMs: 1, count: 1 } },
    cpuUserPct: 40,
    cpuSystemPct: 10,
    activeHandles: 40,
    pool: { inUse: 4, idle: 6, waiting: 0, acquireWaitP99Ms: 0.4 },
    cache: { hit: 800, miss: 150, coalesced: 10 },
    inFlight: 12,
    shed: 0,
  };
}

/**
 * A healthy service second plus the recommendations breaker and retries around a recommendations
 * fault over [startS, endS): retries climb as calls fail, the breaker opens 2 s in and stays open
 * to the end of the window, half-opens for one second, then closes.
 */
export function breakerService(startS: number, endS: number): (t: number) => ServiceSample {
  return (t) => {
    let breakerState = 0;
    let retries = t % 3;
    if (t >= startS + 2 && t < endS) breakerState = 1;
    else if (t === endS) breakerState = 2;
    if (t >= startS && t < startS + 2) retries = 40;
    else if (t >= startS + 2 && t < endS) retries = 5;
    return { ...healthyService(t), breakerState, retries };
  };
}

export function syntheticResult(options: SyntheticOptions = {}): ResultDocument {
  const seconds = options.seconds ?? 60;
  const p99 = options.p99 ?? (() => 10);
  const requests = options.requests ?? (() => 1000);
  const histogram = createLatencyHistogram();
  for (let i = 0; i < 5000; i++) recordLatencyUs(histogram, 1000 + ((i * 7919) % 40_000));
  const scenario = scenarioSchema.parse({
    name: 'synthetic',
    description: 'A synthetic run.',
    load: {
      model: 'closed',
      phases: [
        { name: 'warmup', duration: Math.min(10, seconds - 1), connections: 4 },
        { name: 'steady', duration: seconds - Math.min(10, seconds - 1), connections: 32 },
      ],
      requests: [{ path: '/users/1' }],
    },
    slo: { p99Ms: 50, errorRate: 0.01 },
  });
  const series: SeriesPoint[] = Array.from({ length: seconds }, (_, t) => {
    const service = options.service?.(t);
    const generator = options.generator?.(t);
    const n = requests(t);
    return {
      t,
      requests: n,
      rps: n,
      errors: t % 17 === 0 ? 2 : 0,
      errorsByKind: t % 17 === 0 ? { '5xx': 2 } : {},
      latencyMs: { p50: 2.1, p90: 5.5, p99: p99(t), max: p99(t) * 2 },
      ...(service === undefined ? {} : { service }),
      ...(generator === undefined ? {} : { generator }),
    } as SeriesPoint;
  });
  const summary: ResultDocument['summary'] = {
    requests: seconds * 1000,
    sent: seconds * 1000,
    dropped: 0,
    inFlightAtStop: 0,
    errors: { total: 8, byKind: { '5xx': 8 } },
    rps: 1000,
    latencyMs: summarizeLatencyMs(histogram),
    bytesRead: seconds * 100_000,
    durationS: seconds,
  };
  return {
    schema: 'loadlab/result@1',
    startedAt: '2026-11-21T10:00:00.000Z',
    endedAt: '2026-11-21T10:10:00.000Z',
    interrupted: false,
    scenario,
    target: { url: 'http://127.0.0.1:41234', kind: 'reference' },
    environment: {
      loadlabVersion: '0.1.0',
      node: 'v20.20.2',
      os: 'linux',
      cpuModel: 'Test CPU',
      cpus: 2,
      hostname: 'test',
    },
    phases: [
      { name: 'warmup', startS: 0, endS: Math.min(10, seconds - 1) },
      { name: 'steady', startS: Math.min(10, seconds - 1), endS: seconds },
    ],
    summary,
    slo: checkSlo(scenario.slo, summary),
    series,
    histogram: encodeHistogram(histogram),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  } as ResultDocument;
}
