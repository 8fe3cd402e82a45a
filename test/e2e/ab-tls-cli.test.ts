/**
 * `loadlab ab --a-target https://… --b-target https://…` through the real CLI: the target flags of
 * `run` (`--ca`, `--header`, the Host override) reach both variants' targets, for their load and
 * their /metrics alike; without `--ca` the untrusted targets fail at once by their error kind;
 * TLS flags with no https:// target are refused. Targets are child processes on loopback with
 * certificates made at test time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startLoadTarget } from '../helpers/load-target.js';
import { makeCertificates, startSecureTarget, type TestCertificates } from '../helpers/tls-target.js';

let certs: TestCertificates;
let dir: string;
let scenario: string;
beforeAll(() => {
  certs = makeCertificates();
  dir = mkdtempSync(join(tmpdir(), 'loadlab-ab-tls-'));
  scenario = join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    [
      'name: ab-tls',
      'load:',
      '  model: closed',
      '  phases: [{ name: main, duration: 1s, connections: 2 }]',
      '  requests: [{ path: /load }]',
      '',
    ].join('\n'),
  );
});
afterAll(() => {
  certs.remove();
  rmSync(dir, { recursive: true, force: true });
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  killStartedClis();
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function httpsTarget() {
  const target = await startSecureTarget({ kind: 'https', cert: certs.good, delayMs: 1, metrics: true });
  cleanups.push(() => target.close());
  return target;
}

const resultOf = (out: string, side: string): ResultDocument =>
  JSON.parse(readFileSync(join(out, side, 'run-1', 'result.json'), 'utf8')) as ResultDocument;

describe('loadlab ab against https targets', () => {
  it('applies --ca, --header and the Host override to both variants, load and /metrics alike', async () => {
    const [a, b] = [await httpsTarget(), await httpsTarget()];
    const out = join(dir, 'duet');
    const run = await runCli([
      'ab',
      scenario,
      '--a-target',
      a.url,
      '--b-target',
      b.url,
      '--ca',
      certs.ca,
      '--header',
      'Host: localhost',
      '--header',
      'x-run: ab',
      '--repeat',
      '1',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    for (const [side, target] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const result = resultOf(out, side);
      expect(result.target.url).toBe(target.url);
      expect(result.connections).toMatchObject({ protocol: 'h1', tls: true });
      expect(result.summary.requests).toBeGreaterThan(0);
      expect(result.summary.requests).toBe(await target.countOf('/load'));
      expect(await target.metricsReads()).toMatchObject({ host: 'localhost', xRun: 'ab' });
    }
  });

  it('fails at once without --ca, naming TLS and the error kind', async () => {
    const [a, b] = [await httpsTarget(), await httpsTarget()];
    const run = await runCli([
      'ab',
      scenario,
      '--a-target',
      a.url,
      '--b-target',
      b.url,
      '--repeat',
      '1',
      '--out',
      join(dir, 'untrusted'),
      '--quiet',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/TARGET_UNREACHABLE/);
    expect(run.stderr).toMatch(/failed at TLS: the certificate chains to no trusted authority/);
    expect(run.stderr).toMatch(/error kind "tls-untrusted"/);
  });

  it('refuses TLS flags when no variant has an https:// target, and target flags with no target', async () => {
    const plain = await startLoadTarget({ kind: 'delay', ms: 1 });
    cleanups.push(() => plain.close());
    const tlsOnHttp = await runCli([
      'ab',
      scenario,
      '--a-target',
      plain.url,
      '--b-target',
      plain.url,
      '--ca',
      certs.ca,
    ]);
    expect(tlsOnHttp.code).toBe(2);
    expect(tlsOnHttp.stderr).toContain('--ca: TLS flags go with an https:// --a-target or --b-target');
    const noTarget = await runCli(['ab', scenario, '--header', 'x-run: ab']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--header go with --a-target or --b-target');
  });
});
