/**
 * A run split into 4 shards, each its own `loadlab run --shard i/4` process, against one loopback
 * target with a common start time, then `loadlab merge`: the merged result is the plan, exactly.
 * And what merge refuses.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLatencyHistogram, decodeHistogram, summarizeLatencyMs } from '../../src/metrics/index.js';
import { mergeShards, type ShardInput } from '../../src/lab/index.js';
import { parseLatencyLog } from '../../src/results/index.js';
import type { ResultDocument } from '../../src/results/types.js';
import type { LoadlabError } from '../../src/shared/index.js';
import { killStartedClis, runCli, startCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let dir: string;
let target: LoadTarget;
const shards = 4;
const rate = 400;
const seconds = 2;

const scenario = `
name: sharded
load:
  model: open
  phases: [{ name: steady, duration: ${seconds}s, rate: ${rate} }]
  requests: [{ path: /load }]
`;

async function readJson(folder: string): Promise<ResultDocument> {
  return JSON.parse(await readFile(join(folder, 'result.json'), 'utf8')) as ResultDocument;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-shards-'));
  await writeFile(join(dir, 'sharded.yaml'), scenario);
  target = await startLoadTarget({ kind: 'delay', ms: 2 });
  // Far enough ahead for 4 CLIs starting at once to be ready: many times what one CLI takes to
  // start on this machine now (a quiet one starts in a fraction of a second; a busy one in several
  // seconds, and four at once on 2 cores take longer still: 3 s + 8x was once 0.85 s short).
  const t0 = Date.now();
  expect((await runCli(['--version'])).code).toBe(0);
  const startAt = Date.now() + 5000 + 12 * (Date.now() - t0);
  const runs = Array.from({ length: shards }, (_, i) =>
    startCli([
      'run',
      join(dir, 'sharded.yaml'),
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
}, 60_000);
afterAll(async () => {
  killStartedClis();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => killStartedClis());

describe.sequential('a run in 4 shards, merged', () => {
  it('merges to exactly the plan: sent, the target’s count, percentiles of all values, the rate', async () => {
    const merged = await runCli([
      'merge',
      ...Array.from({ length: shards }, (_, i) => join(dir, `shard-${i}`)),
      '--out',
      join(dir, 'merged'),
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    const result = await readJson(join(dir, 'merged'));
    const parts = await Promise.all(
      Array.from({ length: shards }, (_, i) => readJson(join(dir, `shard-${i}`))),
    );

    expect(parts.map((p) => p.shard?.index)).toEqual([0, 1, 2, 3]);
    expect(new Set(parts.map((p) => p.shard?.scenarioId)).size).toBe(1);
    expect(parts.map((p) => p.shard?.clock.offsetMs)).toEqual([0, 0, 0, 0]);
    // Every shard sent its stripe: a quarter of the plan each, no arrival lost to rounding.
    expect(parts.map((p) => p.summary.sent)).toEqual(Array(shards).fill((rate * seconds) / shards));

    expect(result.summary.sent).toBe(rate * seconds);
    expect(result.summary.dropped).toBe(0);
    expect(result.summary.requests).toBe(await target.countOf('/load'));
    expect(result.summary.requests).toBe(rate * seconds);

    const all = createLatencyHistogram();
    for (const p of parts) all.add(decodeHistogram(p.histogram));
    expect(result.summary.latencyMs).toEqual(summarizeLatencyMs(all));
    expect(decodeHistogram(result.histogram).totalCount).toBe(rate * seconds);

    expect(Math.abs(result.summary.rps - rate) / rate).toBeLessThanOrEqual(0.01);
    expect(result.series.reduce((n, s) => n + s.requests, 0)).toBe(rate * seconds);
    expect(result.merged?.shards.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(result.merged?.shards.every((s) => s.generator?.verdict !== undefined)).toBe(true);
    expect(result.merged?.missing).toEqual([]);
    const log = await readFile(join(dir, 'merged', 'latency.hlog'), 'utf8');
    expect(log.split('\n').filter((l) => /^\d/.test(l))).toHaveLength(seconds);
    const html = await readFile(join(dir, 'merged', 'index.html'), 'utf8');
    expect(html).toContain('<h2>Shards</h2>');
    expect(html).toContain('<td>3/4</td>');
  });

  it('refuses a shard given twice and results of another scenario, naming what differs; says which are missing', async () => {
    const twice = await runCli([
      'merge',
      join(dir, 'shard-0'),
      join(dir, 'shard-0'),
      '--out',
      join(dir, 'twice'),
    ]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('SHARD_MISMATCH');
    expect(twice.stderr).toMatch(/shard 0\/4: expected once, found 2 times/);

    const inputs = await Promise.all(
      Array.from({ length: shards }, async (_, i) => {
        const folder = join(dir, `shard-${i}`);
        const log = await readFile(join(folder, 'latency.hlog'), 'utf8');
        return {
          source: folder,
          result: await readJson(folder),
          intervals: parseLatencyLog(log, folder).intervals,
        };
      }),
    );
    const [a, b, c] = inputs as [ShardInput, ShardInput, ShardInput];
    const other = {
      ...b,
      result: { ...b.result, shard: { ...b.result.shard!, scenarioId: 'sha256:other', count: 5 } },
    };
    const later = {
      ...c,
      result: { ...c.result, shard: { ...c.result.shard!, startAt: '2030-01-01T00:00:00.000Z' } },
    };
    const refusal = (() => {
      try {
        mergeShards([a, other, later]);
      } catch (error) {
        return error as LoadlabError;
      }
      return undefined;
    })();
    expect(refusal?.code).toBe('SHARD_MISMATCH');
    expect(refusal?.problems.join('\n')).toMatch(/scenario .*sha256:other/);
    expect(refusal?.problems.join('\n')).toMatch(/shard count n: .*4 in .*5 in/);
    expect(refusal?.problems.join('\n')).toMatch(/start time .*2030-01-01/);

    const partial = mergeShards([inputs[0]!, inputs[2]!]).result;
    expect(partial.merged?.missing).toEqual([1, 3]);
    expect(partial.summary.sent).toBe((rate * seconds) / 2);
  });

  it('refuses bad --shard and --start-at values all at once, with what it expected', async () => {
    const bad = await runCli([
      'run',
      join(dir, 'sharded.yaml'),
      '--target',
      target.url,
      '--shard',
      '4/4',
      '--start-at',
      'soon',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard: expected a shard index i from 0 to 3');
    expect(bad.stderr).toContain('--start-at: expected an ISO 8601 time');
  });
});
