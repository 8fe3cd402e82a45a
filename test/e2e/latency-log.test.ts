/**
 * A run against a target of known behaviour writes latency.hlog beside result.json: an
 * HdrHistogram interval log that hdr-histogram-js's own reader reads back to the same counts and
 * percentiles as result.json; and result.json carries the generator's own figures per second.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIntoCompressedBase64, HistogramLogReader } from 'hdr-histogram-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLatencyHistogram,
  decodeHistogram,
  mergeHistograms,
  summarizeLatencyMs,
} from '../../src/metrics/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  killStartedClis();
  for (const step of cleanups.splice(0).reverse()) await step();
});

describe('the latency interval log', () => {
  it('holds one interval per second that HdrHistogram’s reader sums to result.json’s histogram', async () => {
    const target: LoadTarget = await startLoadTarget({ kind: 'delay', ms: 2 });
    cleanups.push(() => target.close());
    const dir = mkdtempSync(join(tmpdir(), 'loadlab-hlog-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(
      scenario,
      [
        'name: hlog',
        'load:',
        '  model: open',
        '  phases: [{ duration: 3s, rate: 200 }]',
        "  requests: [{ path: '/' }]",
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const run = await runCli(['run', scenario, '--target', target.url, '--out', out, '--quiet']);
    expect(run.stderr).not.toMatch(/LOAD_FAILED/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ResultDocument;
    const log = readFileSync(join(out, 'latency.hlog'), 'utf8');
    expect(log).toMatch(/^#\[Histogram log format version 1\.3\]/);
    expect(log).toContain('#[StartTime: ');
    expect(log).toContain(
      '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
    );

    const reader = new HistogramLogReader(log, 64);
    const merged = createLatencyHistogram();
    const starts: number[] = [];
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      starts.push(h.startTimeStampMsec - reader.startTimeSec * 1000);
      mergeHistograms(merged, decodeHistogram(encodeIntoCompressedBase64(h)));
    }
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(starts.slice(0, 3)).toEqual([0, 1000, 2000]);
    const total = decodeHistogram(result.histogram);
    expect(merged.totalCount).toBe(result.summary.requests);
    expect(merged.totalCount).toBe(total.totalCount);
    expect(summarizeLatencyMs(merged)).toEqual(result.summary.latencyMs);

    // The generator's own figures, per second and in the summary.
    const withGenerator = result.series.filter((p) => p.generator !== undefined);
    expect(withGenerator.length).toBeGreaterThanOrEqual(2);
    for (const p of withGenerator) expect(p.generator?.elu).toBeGreaterThan(0);
    expect(result.summary.generator?.elu).toBeGreaterThan(0);
    expect(result.summary.generator?.cpuPct).toBeGreaterThan(0);
  });
});
