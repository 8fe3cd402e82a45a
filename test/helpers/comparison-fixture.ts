/**
 * A small comparison for report tests: A's runs with p99 around 10 ms, B's around 14 ms, each run
 * with its own histogram (latencies scaled by the side) and per-second p99, compared paired.
 */
import { compareRunSets } from '../../src/analysis/index.js';
import { createLatencyHistogram, encodeHistogram, recordLatencyUs } from '../../src/metrics/index.js';
import type { ComparisonReportInput } from '../../src/report/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { runWith } from './synthetic-runs.js';

function run(scale: number, i: number): ResultDocument {
  const doc = runWith({ p50: 2 * scale + i * 0.1, p99: 10 * scale + i * 0.3, rps: 1000 - 20 * scale + i });
  const histogram = createLatencyHistogram();
  for (let k = 0; k < 4000; k++) recordLatencyUs(histogram, scale * (1000 + ((k * 7919) % 9000)));
  doc.histogram = encodeHistogram(histogram);
  doc.series = doc.series.map((p) => ({
    ...p,
    latencyMs: { ...p.latencyMs, p50: 2 * scale, p99: 10 * scale + ((p.t * 3 + i) % 4) },
  }));
  return doc;
}

/** `pairs` runs a side; B's scenario sets a different pool size, so the sides' settings differ. */
export function comparisonInput(pairs = 6): ComparisonReportInput {
  const a = Array.from({ length: pairs }, (_, i) => run(1, i));
  const b = Array.from({ length: pairs }, (_, i) => run(1.4, i));
  for (const r of b) {
    r.scenario = {
      ...r.scenario,
      service: { ...r.scenario.service, db: { ...r.scenario.service?.db, pool: { max: 20 } } },
    } as ResultDocument['scenario'];
  }
  const sources = (side: string) => a.map((_, i) => `${side}/run-${i + 1}/result.json`);
  const comparison = compareRunSets(
    { label: 'A', sources: sources('a'), results: a },
    { label: 'B', sources: sources('b'), results: b },
    { design: 'paired', thresholds: [{ metric: 'p99', limit: 0.1, unit: '%', text: 'p99:+10%' }] },
  );
  return {
    comparison,
    mode: 'duet',
    a: {
      results: a,
      description: ['--a-target http://127.0.0.1:1 <main>'],
      reportHrefs: a.map((_, i) => `a/run-${i + 1}/index.html`),
    },
    b: {
      results: b,
      description: ['--b-target http://127.0.0.1:2'],
      reportHrefs: b.map((_, i) => `b/run-${i + 1}/index.html`),
    },
    notes: ['How A and B shared the machine (both at once):'],
  };
}
