/**
 * Synthetic runs for comparison tests: a {@link syntheticResult} whose per-run figures (latency
 * percentiles, throughput, errors, service telemetry) are set to chosen values.
 */
import { createLatencyHistogram, encodeHistogram, recordLatencyUs } from '../../src/metrics/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { healthyService, syntheticResult } from './synthetic-result.js';

export interface RunFigures {
  p50?: number;
  p90?: number;
  p99?: number;
  p999?: number;
  rps?: number;
  /** Errors (5xx) among `requests` responses. */
  errors?: number;
  requests?: number;
  /** Every second's service event-loop delay p99, ms; with it the run has service telemetry. */
  eventLoopDelayP99?: number;
  /** Every second's GC pause, ms (with `eventLoopDelayP99`). */
  gcPauseMs?: number;
  /** Scenario name (default "synthetic"). */
  name?: string;
  /** Replaces the scenario's gate. */
  gate?: string[];
}

/** A 20-second synthetic run with the given figures (others keep the synthetic defaults). */
export function runWith(f: RunFigures): ResultDocument {
  const service = f.eventLoopDelayP99;
  const doc = syntheticResult({
    seconds: 20,
    ...(service === undefined
      ? {}
      : {
          service: (t: number) => ({
            ...healthyService(t),
            eventLoopDelayMs: { p50: 0.2, p99: service, max: service * 2 },
            gcPauseMs: f.gcPauseMs ?? 3,
          }),
        }),
  });
  const requests = f.requests ?? doc.summary.requests;
  const errors = f.errors ?? 0;
  doc.summary = {
    ...doc.summary,
    requests,
    rps: f.rps ?? doc.summary.rps,
    errors: { total: errors, byKind: errors === 0 ? {} : { '5xx': errors } },
    latencyMs: {
      ...doc.summary.latencyMs,
      ...(f.p50 === undefined ? {} : { p50: f.p50 }),
      ...(f.p90 === undefined ? {} : { p90: f.p90 }),
      ...(f.p99 === undefined ? {} : { p99: f.p99 }),
      ...(f.p999 === undefined ? {} : { p999: f.p999 }),
    },
  };
  if ([f.p50, f.p90, f.p99, f.p999].some((v) => v !== undefined)) {
    doc.histogram = encodeHistogram(histogramWith(doc.summary.latencyMs));
  }
  if (f.name !== undefined) doc.scenario = { ...doc.scenario, name: f.name };
  if (f.gate !== undefined) doc.scenario = { ...doc.scenario, gate: f.gate };
  return doc;
}

/**
 * 10,000 latencies whose p50, p90, p99 and p99.9 are the given ones (within the histogram's 3
 * significant digits), so that the run's histogram agrees with its summary: what the latency
 * bootstrap reads.
 */
function histogramWith(q: { p50: number; p90: number; p99: number; p999: number }) {
  const h = createLatencyHistogram();
  const p90 = Math.max(q.p90, q.p50);
  const p99 = Math.max(q.p99, p90);
  const p999 = Math.max(q.p999, p99);
  const at = (ms: number, n: number) => {
    for (let i = 0; i < n; i++) recordLatencyUs(h, ms * 1000);
  };
  at(q.p50, 5000);
  at(p90, 4000);
  at(p99, 900);
  at(p999, 100);
  return h;
}

/** Runs whose p99 takes each of `values` in turn (other figures fixed). */
export function runsWithP99(values: readonly number[], extra: RunFigures = {}): ResultDocument[] {
  return values.map((p99) => runWith({ ...extra, p99 }));
}
