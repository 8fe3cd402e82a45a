import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/types.js';
import { Cleanup, connectTo, roundTrip, startEcho } from '../helpers/chaos-net.js';
import { killStartedClis, runCli, startCli, type CliRun } from '../helpers/cli.js';

let dir: string;
const cleanup = new Cleanup();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-proxy-cli-'));
});
afterEach(async () => {
  killStartedClis();
  await cleanup.run();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Starts `loadlab proxy` and resolves with its admin URL (its first stdout line). */
async function startProxyCli(args: string[]): Promise<{ run: CliRun; adminUrl: string }> {
  const run = startCli(['proxy', ...args]);
  await expect
    .poll(() => run.stdout().includes('\n') || run.child.exitCode !== null, { timeout: 10_000 })
    .toBe(true);
  const adminUrl = run.stdout().split('\n')[0] ?? '';
  expect(adminUrl, run.stderr()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return { run, adminUrl };
}

async function listenPort(adminUrl: string, name: string): Promise<number> {
  const proxies = (await (await fetch(`${adminUrl}/proxies`)).json()) as Record<string, { listen: string }>;
  return Number(proxies[name]?.listen.split(':').pop());
}

describe('loadlab proxy', () => {
  it('runs the proxies of a YAML config with their toxics, serves the admin API, and exits 130 on Ctrl-C', async () => {
    const echo = await startEcho(cleanup);
    const config = await file(
      'proxy.yaml',
      `proxies:\n  - name: echo\n    upstream: 127.0.0.1:${echo.port}\n    toxics:\n      - { type: latency, attributes: { latency: 40 } }\n`,
    );
    const { run, adminUrl } = await startProxyCli(['--config', config, '--port', '0']);
    const socket = await connectTo(cleanup, await listenPort(adminUrl, 'echo'));
    const t0 = performance.now();
    expect((await roundTrip(socket, Buffer.from('hello'))).toString()).toBe('hello');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
  });

  it('exits 0 on SIGTERM', async () => {
    const { run } = await startProxyCli(['--port', '0']);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses a bad config with exit 2, naming the file, the path, what was expected and what was found', async () => {
    const config = await file(
      'bad.json',
      JSON.stringify({
        proxies: [
          { name: 'db', upstream: 'nowhere' },
          { name: 'x', upstream: '1.2.3.4:5', lisen: 1 },
        ],
      }),
    );
    const { code, stderr, stdout } = await runCli(['proxy', '--config', config, '--port', '0']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('[PROXY_CONFIG_INVALID]');
    expect(stderr).toContain(`${config}`);
    expect(stderr).toMatch(/proxies\[0\]\.upstream: expected host:port .*got "nowhere"/);
    expect(stderr).toMatch(/proxies\[1\]: unknown field "lisen"/);
  });

  it('refuses a config that is missing or not YAML with exit 2 and PROXY_CONFIG_INVALID', async () => {
    const broken = await file('broken.yaml', 'proxies: [ { name: db\n');
    const configs = [broken, `${broken}.missing`];
    const runs = await Promise.all(
      configs.map((config) => runCli(['proxy', '--config', config, '--port', '0'])),
    );
    configs.forEach((config, i) => {
      const { code, stderr, stdout } = runs[i] as Awaited<ReturnType<typeof runCli>>;
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('[PROXY_CONFIG_INVALID]');
      expect(stderr).toContain(config);
    });
  });
});

describe('loadlab run --target with faults', () => {
  const scenario = (faults: string) => `
name: target-faults
load:
  model: open
  phases: [{ duration: 4s, rate: 50 }]
  requests: [{ path: /x }]
${faults}
`;

  it('is refused with exit 2 without --proxy, before anything starts', async () => {
    const path = await file(
      't1.yaml',
      scenario('faults: [{ at: 1s, for: 1s, on: db, latency: { latency: 5 } }]'),
    );
    const { code, stderr } = await runCli(['run', path, '--target', 'http://127.0.0.1:9', '--quiet']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--proxy/);
  });

  it("applies the faults through the user's own loadlab proxy given with --proxy", async () => {
    const server: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const upstream = (server.address() as AddressInfo).port;
    const config = await file('p.json', JSON.stringify([{ name: 'db', upstream: `127.0.0.1:${upstream}` }]));
    const { run, adminUrl } = await startProxyCli(['--config', config, '--port', '0']);
    const port = await listenPort(adminUrl, 'db');
    const path = await file(
      't2.yaml',
      scenario('faults: [{ at: 1s, for: 2s, on: db, http: { status: 503 } }]'),
    );
    const out = join(dir, 'out-target');
    const target = `http://127.0.0.1:${port}`;
    const { code } = await runCli([
      'run',
      path,
      '--target',
      target,
      '--proxy',
      adminUrl,
      '--out',
      out,
      '--quiet',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
    expect(result.faults).toMatchObject([
      { on: 'db', kind: 'http_status', plannedStartS: 1, plannedEndS: 3 },
    ]);
    // About two of the four seconds answered 503.
    const share = (result.summary.errors.byKind['5xx'] ?? 0) / result.summary.requests;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 30_000);
});
