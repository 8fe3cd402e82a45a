/**
 * The csv value generator through the real CLI: the file is found relative to the scenario file
 * (not the working folder), and a wrong column is reported before anything starts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startLoadTarget } from '../helpers/load-target.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  killStartedClis();
  for (const step of cleanups.splice(0).reverse()) await step();
});

function scenarioDir(column: string): { dir: string; scenario: string } {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-csv-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'users.csv'), 'id,name\n1,ann\n2,bob\n');
  const scenario = join(dir, 'csv.yaml');
  writeFileSync(
    scenario,
    [
      'name: csv',
      'load:',
      '  model: closed',
      '  phases: [{ duration: 1s, connections: 2 }]',
      `  requests: [{ path: '/users/{{csv data/users.csv ${column}}}', expectStatus: [404] }]`,
    ].join('\n'),
  );
  return { dir, scenario };
}

describe('csv values in a scenario', () => {
  it('reads the file relative to the scenario file, whatever the working folder', async () => {
    const target = await startLoadTarget({ kind: 'status', status: 404 });
    cleanups.push(() => target.close());
    const { dir, scenario } = scenarioDir('id');
    const out = join(dir, 'out');
    const run = await runCli(['run', scenario, '--target', target.url, '--out', out, '--quiet'], {
      cwd: tmpdir(),
    });
    expect(run.stderr).not.toMatch(/SCENARIO_INVALID/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ResultDocument;
    expect(result.summary.requests).toBeGreaterThan(0);
    // Every answer was the expected 404: expectStatus made none of them an error.
    expect(result.summary.errors.total).toBe(0);
  });

  it('reports an unknown column with exit code 2 and starts nothing', async () => {
    const { scenario } = scenarioDir('email');
    const run = await runCli(['run', scenario, '--target', 'http://127.0.0.1:9', '--quiet'], {
      cwd: tmpdir(),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /load\.requests\[0\]\.path: csv column "email" is not in data\/users\.csv \(columns: id, name\)/,
    );
  });

  it('validate reads the file relative to the scenario file and accepts a known column', async () => {
    const { scenario } = scenarioDir('id');
    const run = await runCli(['validate', scenario], { cwd: tmpdir() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('validate reports an unknown column with exit code 2, as run does', async () => {
    const { scenario } = scenarioDir('email');
    const run = await runCli(['validate', scenario], { cwd: tmpdir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /load\.requests\[0\]\.path: csv column "email" is not in data\/users\.csv \(columns: id, name\)/,
    );
  });

  it('validate reports a missing csv file with exit code 2', async () => {
    const { dir, scenario } = scenarioDir('id');
    rmSync(join(dir, 'data', 'users.csv'));
    const run = await runCli(['validate', scenario], { cwd: tmpdir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SCENARIO_INVALID/);
    expect(run.stderr).toMatch(/load\.requests\[0\]\.path: .*data\/users\.csv/);
  });
});
