import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let dir: string;
let target: LoadTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-run-ci-'));
  target = await startLoadTarget({ kind: 'delay', ms: 2 });
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => killStartedClis());

describe('loadlab run --junit --markdown', () => {
  it('writes one JUnit case per SLO check, valid against junit-10.xsd, and a Markdown summary', async () => {
    const scenario = join(dir, 'slo.yaml');
    // A 2 ms target cannot hold a p99 of 0.5 ms; an error rate of at most 50% it holds.
    await writeFile(
      scenario,
      [
        'name: run-ci',
        'load:',
        '  model: closed',
        '  phases:',
        '    - { name: main, duration: 1s, connections: 2 }',
        '  requests:',
        '    - { path: / }',
        'slo: { p99Ms: 0.5, errorRate: 0.5 }',
        '',
      ].join('\n'),
    );
    const junit = join(dir, 'ci', 'run.xml');
    const markdown = join(dir, 'ci', 'run.md');
    const summary = join(dir, 'step-summary.md');
    const { code, stderr } = await runCli(
      [
        'run',
        scenario,
        '--target',
        target.url,
        '--out',
        join(dir, 'out'),
        '--quiet',
        '--junit',
        junit,
        '--markdown',
        markdown,
      ],
      { env: { GITHUB_STEP_SUMMARY: summary } },
    );
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lint = spawnSync(
      'xmllint',
      ['--noout', '--schema', join(import.meta.dirname, '..', 'fixtures', 'junit-10.xsd'), junit],
      { encoding: 'utf8' },
    );
    expect(lint.status, lint.stderr).toBe(0);
    const suite = ((await parse(await readFile(junit, 'utf8'))) as TestSuites).testsuite![0]!;
    expect(suite.name).toBe('loadlab run run-ci');
    expect(suite.testcase!.map((c) => [c.name, c.failure !== undefined])).toEqual([
      ['slo p99Ms', true],
      ['slo errorRate', false],
      ['run completed', false],
    ]);
    expect(suite.testcase![0]!.failure![0]!.message).toMatch(
      /^p99 [\d.]+ ms > 0\.5 ms \(missed by [\d.]+ ms\)$/,
    );
    const md = await readFile(markdown, 'utf8');
    expect(md).toMatch(/^### loadlab run: run-ci\n\n\*\*1 of 2 SLOs missed\*\*\n/);
    expect(await readFile(summary, 'utf8')).toBe(`${md}\n`);
  });
});
