/**
 * `loadlab ab` and `loadlab run --repeat` through the real CLI, against targets of known latency
 * (4 ms and 16 ms, each its own process, counting what it receives). B is four times slower so that
 * one pair slowed by a busy host (both sides gain the same few ms) cannot pull the gate's bound down
 * to +20%.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Comparison, RepeatsDocument } from '../../src/analysis/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let dir: string;
let scenario: string;
const targets: LoadTarget[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-ab-'));
  scenario = join(dir, 'fixed.yaml');
  await writeFile(
    scenario,
    [
      'name: fixed',
      'load:',
      '  model: closed',
      '  phases:',
      '    - { name: main, duration: 1s, connections: 2 }',
      '  requests:',
      '    - { path: /load }',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  killStartedClis();
  await Promise.all(targets.splice(0).map((t) => t.close()));
  await rm(dir, { recursive: true, force: true });
});

async function target(ms: number): Promise<LoadTarget> {
  const t = await startLoadTarget({ kind: 'delay', ms });
  targets.push(t);
  return t;
}

async function json<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('loadlab ab', () => {
  it('runs a duet of a 4 ms and a 16 ms target, calls B worse on p50 with a paired interval, and fails the gate', async () => {
    const fast = await target(4);
    const slow = await target(16);
    const out = join(dir, 'ab');
    const run = await runCli([
      'ab',
      scenario,
      '--a-target',
      fast.url,
      '--b-target',
      slow.url,
      '--repeat',
      '6',
      '--fail-on',
      'p50:+20%',
      '--out',
      out,
      '--quiet',
    ]);
    // The HTML report of the comparison is always written beside comparison.json, and said so.
    expect(run.stdout).toMatch(/\(report: .*comparison\.html\)\n$/);
    const html = await readFile(join(out, 'comparison.html'), 'utf8');
    expect(html).toContain(`--b-target ${slow.url}`);
    expect(html).toContain('<li><a href="b/run-6/index.html">');
    const comparison = await json<Comparison & { mode: string; sharing: unknown }>(
      join(out, 'comparison.json'),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(comparison.mode).toBe('duet');
    expect(comparison.design).toBe('paired');
    expect(comparison.method).toMatch(/^Latency percentiles: .*two-stage bootstrap \(pairs of runs/);
    expect(comparison.method).toMatch(/other figures: .*signed-rank.*6 pairs/);
    const p50 = comparison.metrics.find((m) => m.metric === 'p50');
    expect(p50?.method).toBe('bootstrap');
    expect(p50?.verdict).toBe('worse');
    expect(p50?.change?.low).toBeGreaterThan(0.2);
    expect(comparison.gate).toBe('fail');
    expect(html).toMatch(/<tr><td class="name">p50 latency<\/td>.*<td class="v-worse">worse<\/td>/);
    expect(run.stdout).toMatch(/How A and B shared the machine/);
    // The labs of a pair start in turn, A first in odd repeats: 6 pairs are balanced.
    expect(run.stdout).toContain('started first: A in 3 pairs, B in 3 (balanced)');
    expect((comparison as unknown as { startOrder: unknown }).startOrder).toEqual({
      aFirst: [1, 3, 5],
      bFirst: [2, 4, 6],
    });
    // Every repeat of both sides is a run folder of its own, started at one time zero per pair.
    expect((await readdir(join(out, 'a'))).sort()).toEqual([
      'run-1',
      'run-2',
      'run-3',
      'run-4',
      'run-5',
      'run-6',
    ]);
    for (let r = 1; r <= 6; r++) {
      const a = await json<ResultDocument>(join(out, 'a', `run-${r}`, 'result.json'));
      const b = await json<ResultDocument>(join(out, 'b', `run-${r}`, 'result.json'));
      expect(a.startedAt).toBe(b.startedAt);
    }
    // Each target counted, on the load's path, exactly what its side sent (the reachability
    // checks and /metrics reads go to other paths).
    const sent = async (side: string) => {
      let n = 0;
      for (let r = 1; r <= 6; r++)
        n += (await json<ResultDocument>(join(out, side, `run-${r}`, 'result.json'))).summary.sent;
      return n;
    };
    expect(await fast.countOf('/load')).toBe(await sent('a'));
    expect(await slow.countOf('/load')).toBe(await sent('b'));
  }, 120_000);

  it('runs interleaved trials and says a comparison with too few runs is inconclusive (exit 4)', async () => {
    const fast = await target(4);
    const out = join(dir, 'ab');
    const run = await runCli([
      'ab',
      scenario,
      '--a-target',
      fast.url,
      '--b-target',
      fast.url,
      '--mode',
      'interleaved',
      '--repeat',
      '2',
      '--fail-on',
      'p99:+10%',
      '--out',
      out,
      '--quiet',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(4);
    const comparison = JSON.parse(run.stdout) as Comparison;
    expect(comparison.design).toBe('unpaired');
    expect(comparison.gate).toBe('inconclusive');
    expect(comparison.metrics.find((m) => m.metric === 'p99')?.reason).toMatch(/not enough runs/);
  }, 90_000);

  it('refuses a bad mode, a bad repeat count and a bad threshold before starting anything', async () => {
    const run = await runCli([
      'ab',
      scenario,
      '--mode',
      'sideways',
      '--repeat',
      '0',
      '--out',
      join(dir, 'x'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--mode: expected duet or interleaved, got "sideways"/);
    const threshold = await runCli(['ab', scenario, '--fail-on', 'p99', '--out', join(dir, 'y')]);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toMatch(/--fail-on "p99"/);
    const phase = await runCli(['ab', scenario, '--phase', 'warmup', '--out', join(dir, 'z')]);
    expect(phase.code).toBe(2);
    expect(phase.stderr).toContain(
      '--phase: the scenario has no phase named "warmup"; its phases are "main"',
    );
    await expect(readdir(join(dir, 'x'))).rejects.toThrow();
    await expect(readdir(join(dir, 'z'))).rejects.toThrow();
  });
});

describe('loadlab run --repeat', () => {
  it('writes run-1 … run-N and repeats.json, and compare takes the folder', async () => {
    const fast = await target(4);
    const out = join(dir, 'repeats');
    const run = await runCli([
      'run',
      scenario,
      '--target',
      fast.url,
      '--repeat',
      '2',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 runs of fixed/);
    const doc = await json<RepeatsDocument>(join(out, 'repeats.json'));
    expect(doc.runs).toEqual(['run-1', 'run-2']);
    const p50 = doc.figures.find((f) => f.metric === 'p50');
    expect(p50?.n).toBe(2);
    expect(p50?.min).toBeLessThanOrEqual(p50?.median as number);
    expect(p50?.median).toBeGreaterThanOrEqual(4);
    for (const r of doc.runs)
      expect((await json<ResultDocument>(join(out, r, 'result.json'))).summary.requests).toBeGreaterThan(0);
    const compared = await runCli(['compare', out, out, '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    expect((JSON.parse(compared.stdout) as Comparison).a.runs).toBe(2);
  }, 90_000);
});
