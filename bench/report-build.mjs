// How long building the HTML report takes for a 10-minute run (600 one-second points with every
// service figure, a fault window, findings), against the same result without service telemetry
// as the in-run baseline; and how big the file is. Target: < 1 s and < 2 MB.
//
// Run (after npm run build): node bench/report-build.mjs [iterations=20] [seconds=600]
// Writes bench/results/report-build.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
  summarizeLatencyMs,
} from '../dist/src/metrics/index.js';
import { analyseResult, checkSlo } from '../dist/src/analysis/index.js';
import { renderReportHtml } from '../dist/src/report/index.js';
import { scenarioSchema } from '../dist/src/scenario/schema.js';
import prettier from 'prettier';
import { environment } from './lib/targets.mjs';

const iterations = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 600);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function service(t) {
  return {
    eventLoopDelayMs: { p50: 0.31, p99: 2.4 + (t % 7), max: 8.2 + (t % 13) },
    elu: 0.41 + (t % 10) / 100,
    heapUsedBytes: 31_234_567 + (t % 30) * 1_000_003,
    heapTotalBytes: 64_880_640,
    rssBytes: 123_456_789 + t * 1024,
    externalBytes: 3_123_456,
    gcPauseMs: 3.123 + (t % 4),
    gcCount: 6,
    gcByKind: { minor: { pauseMs: 2.123 + (t % 4), count: 5 }, major: { pauseMs: 1.002, count: 1 } },
    cpuUserPct: 41.23,
    cpuSystemPct: 10.77,
    activeHandles: 43,
    pool: { inUse: 7, idle: 3, waiting: t % 9, acquireWaitP99Ms: 2.345 },
    cache: { hit: 812, miss: 151, coalesced: 9, stale: 2, negative: 1 },
    inFlight: 13,
    shed: 0,
    breakerState: 0,
    retries: 1,
  };
}

function result(withService) {
  const h = createLatencyHistogram();
  for (let i = 0; i < 200_000; i++) recordLatencyUs(h, 800 + ((i * 7919) % 90_000));
  const scenario = scenarioSchema.parse({
    name: 'report-build',
    load: {
      model: 'closed',
      phases: [
        { name: 'warmup', duration: 30, connections: 8 },
        { name: 'steady', duration: seconds - 30, connections: 64 },
      ],
      requests: [{ path: '/users/{{uniform 1 100000}}' }],
    },
    slo: { p99Ms: 80, errorRate: 0.01 },
  });
  const series = Array.from({ length: seconds }, (_, t) => ({
    t,
    requests: 2000 + (t % 50),
    rps: 2000 + (t % 50),
    errors: t % 17 === 0 ? 3 : 0,
    errorsByKind: t % 17 === 0 ? { '5xx': 2, timeout: 1 } : {},
    latencyMs: { p50: 4.231, p90: 9.512, p99: 21.345 + (t >= 200 && t < 260 ? 60 : 0), max: 44.567 },
    ...(withService ? { service: service(t), generator: { elu: 0.52, cpuPct: 61.2 } } : {}),
  }));
  const summary = {
    requests: seconds * 2000,
    sent: seconds * 2000,
    dropped: 0,
    inFlightAtStop: 0,
    errors: { total: 100, byKind: { '5xx': 70, timeout: 30 } },
    rps: 2000,
    latencyMs: summarizeLatencyMs(h),
    bytesRead: seconds * 2_000_000,
    durationS: seconds,
  };
  const doc = {
    schema: 'loadlab/result@1',
    startedAt: '2026-11-21T10:00:00.000Z',
    endedAt: '2026-11-21T10:10:00.000Z',
    interrupted: false,
    scenario,
    target: { url: 'http://127.0.0.1:41234', kind: 'reference' },
    environment: {
      loadlabVersion: '0.1.0',
      node: process.version,
      os: 'linux',
      cpuModel: 'x',
      cpus: 2,
      hostname: 'h',
    },
    phases: [
      { name: 'warmup', startS: 0, endS: 30 },
      { name: 'steady', startS: 30, endS: seconds },
    ],
    summary,
    slo: checkSlo(scenario.slo, summary),
    series,
    histogram: encodeHistogram(h),
    ...(withService
      ? {
          faults: [{ on: 'db', kind: 'latency', startS: 200, endS: 260 }],
          telemetry: { source: 'ipc', samples: seconds },
        }
      : {}),
  };
  doc.findings = analyseResult(doc);
  return doc;
}

function time(doc) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    // The result as `loadlab report` has it: parsed from JSON, so nothing is shared between runs.
    const copy = JSON.parse(JSON.stringify(doc));
    const t0 = performance.now();
    const html = renderReportHtml(copy);
    ms.push(performance.now() - t0);
    bytes = Buffer.byteLength(html);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return { first: ms[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), bytes };
}

const env = await environment();
const loadBefore = os.loadavg();
const full = result(true);
const baseline = result(false);
// One after the other: a build takes milliseconds, far under the 1 s budget either way.
const a = time(full);
const b = time(baseline);
const loadAfter = os.loadavg();
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const md = `# Report build time, ${seconds}-second result

\`renderReportHtml\` on a synthetic ${seconds}-point result, ${iterations} builds each (the first
includes reading chart.js from disk). "full": every service figure each second, the generator's
figures, a fault window and findings; "baseline": the same run with load-side figures only.

- Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}
- load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}

| result | first build | median | max | HTML size |
|---|---|---|---|---|
| full | ${a.first.toFixed(1)} ms | ${a.median.toFixed(1)} ms | ${a.max.toFixed(1)} ms | ${kb(a.bytes)} |
| baseline (load only) | ${b.first.toFixed(1)} ms | ${b.median.toFixed(1)} ms | ${b.max.toFixed(1)} ms | ${kb(b.bytes)} |

Full vs baseline: ${(a.median / b.median).toFixed(2)}x the build time, ${(a.bytes / b.bytes).toFixed(2)}x the size.
Targets: build < 1 s (${a.max < 1000 ? 'met' : 'MISSED'}), HTML < 2 MB (${a.bytes < 2_000_000 ? 'met' : 'MISSED'}).

Reproduce: \`npm run build && node bench/report-build.mjs ${iterations} ${seconds}\`
`;
// Formatted as the repository's prettier check expects.
writeFileSync(join(root, 'bench/results/report-build.md'), await prettier.format(md, { parser: 'markdown' }));
console.log(md);
