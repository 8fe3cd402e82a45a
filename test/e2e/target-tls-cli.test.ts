/**
 * `loadlab run --target https://…` as a user calls it: over HTTP/2 by `--set load.protocol=h2`
 * with `--ca`, counts equal to the server's own and the connections recorded in result.json; with
 * `--insecure` a loud warning on stderr and the fact in result.json; a bad certificate fails at
 * once (exit 3) naming the step and its error kind; TLS flags on an http:// target are refused,
 * every problem at once; the target's /metrics read through the same TLS settings, client
 * certificate and Host (its samples in the result's series, its count as summary.serviceCounted).
 * Certificates are made at test time; runs last 1 s (3 s where telemetry is read).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { makeCertificates, startSecureTarget, type TestCertificates } from '../helpers/tls-target.js';

let certs: TestCertificates;
let dir: string;
let scenario: string;
let scraped: string;
beforeAll(() => {
  certs = makeCertificates();
  dir = mkdtempSync(join(tmpdir(), 'loadlab-tls-cli-'));
  scenario = join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    [
      'name: tls',
      'load:',
      '  model: closed',
      '  phases: [{ name: measured, duration: 1s, connections: 4 }]',
      '  requests: [{ path: /load }]',
      '',
    ].join('\n'),
  );
  scraped = join(dir, 'scraped.yaml');
  writeFileSync(
    scraped,
    [
      'name: tls-scraped',
      'load:',
      '  model: closed',
      '  phases: [{ name: measured, duration: 3s, connections: 2 }]',
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

describe('loadlab run against an https target', () => {
  it('drives HTTP/2 with --ca, counts what the server counted, and records the connections', async () => {
    const target = await startSecureTarget({ kind: 'h2', cert: certs.good, delayMs: 1 });
    cleanups.push(() => target.close());
    const out = join(dir, 'h2');
    const run = await runCli([
      'run',
      scenario,
      '--target',
      target.url,
      '--ca',
      certs.ca,
      '--set',
      'load.protocol=h2',
      '--header',
      'x-run: tls-test',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.summary.requests).toBeGreaterThan(10);
    expect(result.summary.requests).toBe(await target.countOf('/load'));
    expect(result.connections).toMatchObject({ protocol: 'h2', asked: 'h2', tls: true, opened: 1 });
    expect(result.connections.h2.peakStreamsPerConnection).toBe(4);
    expect(result.connections.insecure).toBeUndefined();
    expect(run.stdout).toMatch(/connections\s+1 opened · HTTP\/2 over TLS · up to 4 streams on one/);
  });

  it("reads the target's /metrics as the load reaches it: --ca, client certificate, Host, HTTP/2", async () => {
    const target = await startSecureTarget({
      kind: 'h2',
      cert: certs.good,
      clientCa: certs.ca,
      metrics: true,
      delayMs: 1,
    });
    cleanups.push(() => target.close());
    const out = join(dir, 'scraped');
    const run = await runCli([
      'run',
      scraped,
      '--target',
      target.url,
      '--ca',
      certs.ca,
      '--cert',
      certs.client.cert,
      '--key',
      certs.client.key,
      '--header',
      'Host: localhost',
      '--header',
      'x-run: scraped',
      '--set',
      'load.protocol=h2',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.telemetry).toEqual({ source: 'prometheus', samples: expect.any(Number) });
    expect(result.telemetry.samples).toBeGreaterThanOrEqual(1);
    const sampled = result.series.filter((p: { service?: unknown }) => p.service !== undefined);
    expect(sampled.length).toBeGreaterThanOrEqual(1);
    expect(sampled[0].service.heapUsedBytes).toBeGreaterThan(0);
    // The end-of-run read of the target's counter went the same way (it counts the probe's GET / too).
    expect(result.summary.serviceCounted).toBe(await target.count());
    expect(result.summary.requests).toBe(await target.countOf('/load'));
    expect(await target.metricsReads()).toMatchObject({ host: 'localhost', xRun: 'scraped' });
  });

  it('warns loudly with --insecure and records it', async () => {
    const target = await startSecureTarget({ kind: 'https', cert: certs.untrusted });
    cleanups.push(() => target.close());
    const out = join(dir, 'insecure');
    const run = await runCli([
      'run',
      scenario,
      '--target',
      target.url,
      '--insecure',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/WARNING: --insecure: the target's TLS certificate is NOT verified/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.connections).toMatchObject({ protocol: 'h1', tls: true, insecure: true });
    expect(result.summary.requests).toBe(await target.countOf('/load'));
  });

  it('fails at once on an expired certificate, naming the step and its error kind', async () => {
    const target = await startSecureTarget({ kind: 'https', cert: certs.expired });
    cleanups.push(() => target.close());
    const run = await runCli([
      'run',
      scenario,
      '--target',
      target.url,
      '--ca',
      certs.ca,
      '--out',
      join(dir, 'x'),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/TARGET_UNREACHABLE/);
    expect(run.stderr).toMatch(/TLS: the certificate has expired .*error kind "tls-expired"/);
  });

  it('refuses TLS flags on an http:// target and a malformed header, all at once', async () => {
    const run = await runCli([
      'run',
      scenario,
      '--target',
      'http://127.0.0.1:1',
      '--ca',
      join(dir, 'missing.pem'),
      '--header',
      'no colon',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--header: expected "Name: value"/);
    expect(run.stderr).toMatch(/--ca: TLS flags go with an https:\/\/ --target/);
    expect(run.stderr).toMatch(/--ca: expected a readable PEM file/);
  });
});
