/**
 * `loadlab sweep` through the real CLI: a sweep of 4 variants × 3 repeats of 1 s runs against a
 * target of known latency, interrupted with SIGINT in the middle and resumed; a variant whose
 * service cannot start; bad matrices refused before anything starts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { sweepDocument, type SweepDocument } from '../../src/analysis/index.js';
import { sweepOrder } from '../../src/experiments/index.js';
import { readResult, type ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli, startCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let dir: string;
let target: LoadTarget | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-sweep-'));
});

afterEach(async () => {
  killStartedClis();
  await target?.close();
  target = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, lines: string[]): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, [`name: ${name}`, ...lines, ''].join('\n'));
  return file;
}

/** The trials a session made, from its "· run i of n: variant k of 4 (...), repeat r of 3" lines. */
function trialsOf(stderr: string): { variant: number; repeat: number }[] {
  return [...stderr.matchAll(/variant (\d+) of \d+ \(.*?\), repeat (\d+) of/g)].map((m) => ({
    variant: Number(m[1]),
    repeat: Number(m[2]),
  }));
}

describe('loadlab sweep', () => {
  it('interrupted by Ctrl-C, resumes with --resume and ends with the sweep.json of an uninterrupted sweep', async () => {
    target = await startLoadTarget({ kind: 'delay', ms: 2 });
    const file = await scenario('swept', [
      'load:',
      '  model: open',
      '  phases: [{ name: main, duration: 1s, rate: 50 }]',
      '  requests: [{ path: /load }]',
      'slo: { p99Ms: 500 }',
      'matrix:',
      '  load.phases[0].rate: [50, 100, 150, 200]',
    ]);
    const out = join(dir, 'out');
    const args = ['sweep', file, '--target', target.url, '--quiet', '--seed', '3'];
    const first = startCli([...args, '--out', out]);
    await expect.poll(() => first.stderr(), { timeout: 30_000 }).toMatch(/run 5 of 12/);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    const partial = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as SweepDocument;
    expect(partial).toMatchObject({
      complete: false,
      interrupted: true,
      outcome: 'incomplete',
      winner: null,
    });
    expect(first.stderr()).toContain('--resume');

    const resumed = await runCli([...args, '--resume', out, '--json']);
    expect(resumed.stderr).toMatch(/resuming .*: 4 run\(s\) already complete/);
    const doc = JSON.parse(resumed.stdout) as SweepDocument;
    expect(await readFile(join(out, 'sweep.json'), 'utf8')).toBe(JSON.stringify(doc, null, 2) + '\n');
    expect(doc).toMatchObject({ complete: true, interrupted: false, repeats: 3, seed: 3 });
    expect(doc.variants.map((v) => [v.status, v.runs.length])).toEqual(Array(4).fill(['done', 3]));
    expect(resumed.code).toBe({ winner: 0, tie: 4, 'none-held': 1 }[doc.outcome as 'winner']);

    // The runs of both sessions, the interrupted one made again, follow the one seeded order.
    const before = trialsOf(first.stderr()).slice(0, -1);
    expect([...before, ...trialsOf(resumed.stderr)]).toEqual(
      sweepOrder(4, 3, createRandom(deriveSeed(3, 'sweep-order'))).map(({ variant, repeat }) => ({
        variant,
        repeat,
      })),
    );
    // Every run is whole, and sweep.json is exactly what an uninterrupted sweep of them says.
    const results: ResultDocument[][] = [];
    for (const v of doc.variants) {
      results.push(await Promise.all(v.runs.map((r) => readResult(join(out, r, 'result.json')))));
      for (const r of v.runs) expect(existsSync(join(out, r, 'index.html'))).toBe(true);
    }
    const uninterrupted = sweepDocument({
      scenario: 'swept',
      startedAt: doc.startedAt,
      repeats: 3,
      seed: 3,
      matrix: doc.matrix,
      rankBy: 'p99',
      confidence: 0.9,
      interrupted: false,
      variants: doc.variants.map((v, i) => ({ ...v, results: results[i] as ResultDocument[] })),
    });
    expect(doc).toEqual(uninterrupted);
    const overlay = JSON.parse(await readFile(join(out, 'overlay.json'), 'utf8')) as {
      variants: { points: { reportHref: string }[] }[];
    };
    expect(overlay.variants.map((v) => v.points.length)).toEqual([3, 3, 3, 3]);
    const href = overlay.variants[0]?.points[0]?.reportHref as string;
    expect(existsSync(join(out, href))).toBe(true);
    const html = await readFile(join(out, 'sweep.html'), 'utf8');
    expect(html.includes('<h1>Sweep of swept: 4 variants × 3 repeats</h1>')).toBe(true);
  }, 120_000);

  it('records a variant whose service fails to start as failed, with the reason, and goes on', async () => {
    const file = await scenario('half-broken', [
      'load:',
      '  model: closed',
      '  phases: [{ name: main, duration: 1s, connections: 2 }]',
      '  requests: [{ path: /users/1 }]',
      'matrix:',
      '  dependencies.db:',
      '    - { capacity: 8 }',
      "    - { kind: postgres, url: 'postgres://nobody@127.0.0.1:1/none' }",
    ]);
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await runCli(['sweep', file, '--repeat', '1', '--out', out, '--quiet']);
    expect(stderr).toMatch(/variant 2 \(.*\) failed \[CHILD_FAILED\].*the sweep goes on/);
    const doc = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as SweepDocument;
    expect(doc.variants.map((v) => v.status)).toEqual(['done', 'failed']);
    expect(doc.variants[1]).toMatchObject({ verdict: 'failed', failureCode: 'CHILD_FAILED', runs: [] });
    expect(doc.variants[1]?.reason).toContain('exited before it was ready');
    expect(doc.outcome).toBe('winner');
    expect(code).toBe(0);
    expect(stdout).toContain('wins');
  }, 60_000);

  it('refuses a key that names no field and an empty list at once, and too many variants without --yes, exit 2', async () => {
    const file = await scenario('bad-matrix', [
      'load:',
      '  model: closed',
      '  phases: [{ duration: 1s, connections: 1 }]',
      '  requests: [{ path: / }]',
      'matrix:',
      '  service.cache.ttlMs: []',
    ]);
    const out = join(dir, 'never');
    const bad = await runCli(['sweep', file, '--matrix', 'service.db.pool.maxx=2,4', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[BAD_MATRIX]');
    expect(bad.stderr).toContain('matrix.service.cache.ttlMs: expected a non-empty list of values, got []');
    expect(bad.stderr).toMatch(/service\.db\.pool\.maxx \(every variant\): .*unknown field "maxx"/);

    const pools = Array.from({ length: 65 }, (_, i) => i + 1).join(',');
    const many = await runCli([
      'sweep',
      file,
      '--set',
      'matrix={}',
      '--matrix',
      `service.db.pool.max=${pools}`,
      '--out',
      out,
    ]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('65 variants is more than 64; pass --yes');
    expect(existsSync(out)).toBe(false);
  });
});
