/**
 * What the real CLI says about a mistake on its command line or a file it cannot read: the flag
 * the user typed, what was expected and what was found, exit 2, nothing started.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';

const quickstart = join(import.meta.dirname, '..', '..', 'scenarios', 'quickstart.yaml');
// Should a check let a run through, it fails at once on this target instead of running for 20 s.
const nowhere = ['--target', 'http://127.0.0.1:1'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-flags-'));
});
afterAll(async () => {
  killStartedClis();
  await rm(dir, { recursive: true, force: true });
});

// Each test only starts the CLI and reads what it says: they run at once (a CLI start is mostly
// module loading, on one core), a few at a time.
describe.concurrent('the CLI names the flag a mistake is in', () => {
  it.each([
    [
      ['--duration', '-1s'],
      'loadlab: --duration: expected a duration of at least 1s such as "30s", got "-1s"',
    ],
    [['--duration', '-1'], 'loadlab: --duration: expected a duration of at least 1s such as "30s", got "-1"'],
    [['--workers', 'abc'], 'loadlab: --workers: expected a number, got "abc"'],
    [['--seed', 'x1'], 'loadlab: --seed: expected a number, got "x1"'],
    [['--set'], 'loadlab: --set: expected a value after it, got nothing'],
    [['--set', '--quiet'], 'loadlab: --set: expected a value after it, got nothing'],
    [['--out'], 'loadlab: --out: expected a value after it, got nothing'],
  ])('run %j', async (flags, first) => {
    const { code, stdout, stderr } = await runCli(['run', quickstart, ...flags, ...nowhere]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(`${first} [BAD_FLAG]`);
    expect(stderr).not.toMatch(/Unknown arguments|--set load\.workers|--set seed/);
  });

  it.each([
    [['--workers', '100'], 'load.workers: expected a number of at most 64, got 100 (from --workers 100)'],
    [['--seed', '-5'], 'seed: expected a number of at least 0, got -5 (from --seed -5)'],
    [['--workers', '1.5'], 'load.workers: expected a whole number, got 1.5 (from --workers 1.5)'],
  ])('run %j: a value the scenario refuses is blamed on the flag, not on a --set', async (flags, line) => {
    const { code, stderr } = await runCli(['run', quickstart, ...flags, ...nowhere]);
    expect(code).toBe(2);
    expect(stderr).toContain(`  ${quickstart}: ${line}\n`);
  });

  it('lists every wrong flag at once', async () => {
    const { code, stderr } = await runCli(['run', quickstart, '--workers', 'abc', '--set', ...nowhere]);
    expect(code).toBe(2);
    expect(stderr).toContain('--workers: expected a number, got "abc"');
    expect(stderr).toContain('--set: expected a value after it, got nothing');
  });

  it('refuses a bare --set on validate too', async () => {
    const { code, stderr } = await runCli(['validate', quickstart, '--set']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('loadlab: --set: expected a value after it, got nothing [BAD_FLAG]');
  });
});

describe.concurrent('the CLI on files no scenario needs', () => {
  it.each([
    ['flow lists', (n: number) => `name: deep\nload: ${'['.repeat(n)}${']'.repeat(n)}\n`, 2],
    [
      'block maps',
      (n: number) =>
        `name: deep\nload:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 2)}a:`).join('\n')}\n`,
      66,
    ],
  ])('refuses %s nested 5,000 deep in one line with file and line', async (kind, text, line) => {
    const file = join(dir, `deep-${kind.replace(' ', '-')}.yaml`);
    await writeFile(file, text(5000));
    const { code, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).not.toContain('Maximum call stack');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // the error, its one problem, the hint
    expect(lines[1]).toMatch(
      new RegExp(
        `^  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: lists and objects nested more than 64 deep`,
      ),
    );
  });

  it('reads a file nested 64 deep (a deep JSON body) as usual', async () => {
    const file = join(dir, 'body.yaml');
    const body = `${'['.repeat(58)}1${']'.repeat(58)}`;
    await writeFile(
      file,
      `name: body\nload:\n  model: open\n  phases: [{ duration: 1s, rate: 1 }]\n  requests: [{ method: POST, path: /users, json: ${body} }]\n`,
    );
    const { code, stderr } = await runCli(['validate', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('reports a wrong model, a negative duration and a bad weight together (exit 2)', async () => {
    const file = join(dir, 'three.yaml');
    await writeFile(
      file,
      'name: three\nload:\n  model: sideways\n  phases:\n    - { duration: -5s, rate: 10 }\n  requests:\n    - { weight: x, path: /users/1 }\n',
    );
    const { code, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:3: load.model: expected one of "closed", "open", got "sideways"`);
    expect(stderr).toContain(`${file}:5: load.phases[0].duration: must be at least 1s, got "-5s"`);
    expect(stderr).toContain(`${file}:7: load.requests[0].weight: expected a number, got "x"`);
  });
});
