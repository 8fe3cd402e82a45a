/**
 * A flow scenario split into 2 shards, each its own `loadlab run --shard i/2` process against one
 * loopback target, then `loadlab merge`: every step's and flow's counts are the shards' sums, and
 * every percentile (each step's whole run, each step's every second, its service time, the
 * journeys' durations) is that of one histogram holding both shards' values.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/lab/index.js';
import {
  createLatencyHistogram,
  decodeHistogram,
  summarizeLatencyMs,
  type LatencyHistogram,
} from '../../src/metrics/index.js';
import type { ResultDocument } from '../../src/results/types.js';
import type { LoadlabError } from '../../src/shared/index.js';
import { killStartedClis, runCli, startCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let dir: string;
let target: LoadTarget;
let parts: ResultDocument[];
let merged: ResultDocument;
const shards = 2;
const rate = 40;
const seconds = 2;

const scenario = `
name: sharded-flows
load:
  model: open
  phases: [{ name: steady, duration: ${seconds}s, rate: ${rate} }]
  flows:
    - name: browse
      steps:
        - { name: list, path: /a, check: [{ status: 200 }] }
        - { name: item, path: /b, think: 5ms }
`;

async function readJson(folder: string): Promise<ResultDocument> {
  return JSON.parse(await readFile(join(folder, 'result.json'), 'utf8')) as ResultDocument;
}

/** One histogram holding every encoded histogram given. */
function sumOf(encoded: (string | undefined)[]): LatencyHistogram {
  const all = createLatencyHistogram();
  for (const e of encoded) if (e !== undefined) all.add(decodeHistogram(e));
  return all;
}

const quantiles = (h: LatencyHistogram) => {
  const l = summarizeLatencyMs(h);
  return { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-shard-flows-'));
  await writeFile(join(dir, 'flows.yaml'), scenario);
  target = await startLoadTarget({ kind: 'delay', ms: 2 });
  const t0 = Date.now();
  expect((await runCli(['--version'])).code).toBe(0);
  const startAt = Date.now() + 3000 + 6 * (Date.now() - t0);
  const runs = Array.from({ length: shards }, (_, i) =>
    startCli([
      'run',
      join(dir, 'flows.yaml'),
      '--target',
      target.url,
      '--shard',
      `${i}/${shards}`,
      '--start-at',
      new Date(startAt).toISOString(),
      '--out',
      join(dir, `shard-${i}`),
      '--quiet',
    ]),
  );
  const codes = await Promise.all(runs.map((r) => r.exited));
  expect(codes, runs.map((r) => r.stderr()).join('\n')).toEqual(Array(shards).fill(0));
  const merge = await runCli([
    'merge',
    ...Array.from({ length: shards }, (_, i) => join(dir, `shard-${i}`)),
    '--out',
    join(dir, 'merged'),
  ]);
  expect(merge.code, merge.stderr).toBe(0);
  parts = await Promise.all(Array.from({ length: shards }, (_, i) => readJson(join(dir, `shard-${i}`))));
  merged = await readJson(join(dir, 'merged'));
}, 60_000);
afterAll(async () => {
  killStartedClis();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => killStartedClis());

describe('the shards of a flow run, merged', () => {
  it("sums every step's counts and checks, and takes its percentiles from one histogram of both shards", async () => {
    expect(merged.steps?.map((s) => s.name)).toEqual(['list', 'item']);
    expect(parts.every((p) => p.shard?.steps?.length === 2)).toBe(true);
    merged.steps?.forEach((step, i) => {
      const own = parts.map((p) => p.steps?.[i]);
      const sum = (get: (s: NonNullable<(typeof own)[number]>) => number) =>
        own.reduce((n, s) => n + (s === undefined ? 0 : get(s)), 0);
      expect(step.sent).toBe(sum((s) => s.sent));
      expect(step.requests).toBe(sum((s) => s.requests));
      expect(step.unanswered).toBe(sum((s) => s.unanswered));
      expect(step.errors.total).toBe(sum((s) => s.errors.total));
      expect(step.checks.map((c) => c.passes)).toEqual(
        step.checks.map((_, c) => sum((s) => s.checks[c]?.passes ?? 0)),
      );
      expect(step.latencyMs).toEqual(summarizeLatencyMs(sumOf(own.map((s) => s?.histogram))));
      expect(decodeHistogram(step.histogram).totalCount).toBe(step.requests);
      // Open model: the service time too (a step that never answered in any shard has none).
      const service = parts.map((p) => p.shard?.steps?.[i]?.serviceHistogram);
      expect(step.serviceTimeMs).toEqual(
        service.some((h) => h !== undefined) ? summarizeLatencyMs(sumOf(service)) : undefined,
      );
    });
    const [list, item] = merged.steps ?? [];
    expect(list?.serviceTimeMs).toBeDefined();
    // Every journey was started, and both shards sent their share of it.
    expect(list?.sent).toBe(rate * seconds);
    expect(parts.map((p) => p.steps?.[0]?.sent)).toEqual([rate, rate]);
    expect(list?.checks[0]?.passes).toBe(list?.requests);
    expect(list?.requests).toBe(await target.countOf('/a'));
    expect(item?.requests).toBe(await target.countOf('/b'));
  });

  it("merges each step's every second exactly: counts summed, quantiles of the summed histograms", () => {
    merged.steps?.forEach((step, i) => {
      for (const point of step.series) {
        const own = parts.map((p) => p.steps?.[i]?.series.find((s) => s.t === point.t));
        expect(point.requests).toBe(own.reduce((n, s) => n + (s?.requests ?? 0), 0));
        const histograms = parts.map(
          (p) => p.shard?.steps?.[i]?.seconds.find((s) => s.t === point.t)?.histogram,
        );
        expect(point.latencyMs).toEqual(quantiles(sumOf(histograms)));
      }
      expect(step.series.reduce((n, s) => n + s.requests, 0)).toBe(step.requests);
    });
  });

  it('sums the journeys and takes their durations from one histogram of both shards', () => {
    const [flow] = merged.journeys ?? [];
    const own = parts.map((p) => p.journeys?.[0]);
    expect(flow?.started).toBe(rate * seconds);
    expect(flow?.started).toBe(own.reduce((n, j) => n + (j?.started ?? 0), 0));
    expect(flow?.completed).toBe(own.reduce((n, j) => n + (j?.completed ?? 0), 0));
    expect(flow?.failed).toBe(own.reduce((n, j) => n + (j?.failed ?? 0), 0));
    expect(flow?.durationMs).toEqual(
      summarizeLatencyMs(sumOf(parts.map((p) => p.shard?.journeyHistograms?.[0]))),
    );
  });

  it("refuses a flow shard without its steps' histograms, naming it", () => {
    const inputs = parts.map((result, i) => ({ source: `shard-${i}`, result, intervals: [] }));
    const [first, second] = inputs;
    const { steps: _steps, ...bare } = second!.result.shard!;
    let refusal: LoadlabError | undefined;
    try {
      mergeShards([first!, { ...second!, result: { ...second!.result, shard: bare } }]);
    } catch (error) {
      refusal = error as LoadlabError;
    }
    expect(refusal?.code).toBe('MERGE_INPUT');
    expect(refusal?.problems).toEqual([
      'shard-1: expected the histograms of each of its 2 steps in shard.steps (a flow shard of this loadlab), found none',
    ]);
  });
});
