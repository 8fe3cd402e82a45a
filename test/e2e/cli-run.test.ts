import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/types.js';
import { parsePromText, sumSamples } from '../../src/telemetry/index.js';
import { descendantsOf, isAlive, killStartedClis, runCli, startCli } from '../helpers/cli.js';

let dir: string;

const shortScenario = (extra = '') => `
name: e2e-short
seed: 7
dependencies:
  db: { capacity: 4, latency: { dist: constant, ms: 2 } }
load:
  model: closed
  phases:
    - { name: warm, duration: 1s, connections: 4 }
    - { name: main, duration: 2s, connections: 8 }
  requests:
    - { weight: 8, method: GET, path: "/users/{{zipf 1 1000 1.1}}" }
    - { weight: 2, method: POST, path: /users, json: { name: "user-{{seq}}" } }
${extra}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => killStartedClis());

async function scenarioFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** One 1 s run whose p99 SLO cannot hold, shared by the tests that need a finished run of any kind. */
let missedSlo: Promise<{ code: number; stdout: string; out: string }> | undefined;
function missedSloRun(): Promise<{ code: number; stdout: string; out: string }> {
  missedSlo ??= (async () => {
    const file = await scenarioFile('slo.yaml', shortScenario('slo: { p99Ms: 0.001 }'));
    const out = join(dir, 'out-slo');
    const { code, stdout } = await runCli(['run', file, '--out', out, '--quiet', '--duration', '1s']);
    return { code, stdout, out };
  })();
  return missedSlo;
}

async function readResultJson(outDir: string): Promise<ResultDocument> {
  return JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8')) as ResultDocument;
}

describe('loadlab run', () => {
  it('runs a 3-second scenario end to end and its counts agree with the service’s own counter', async () => {
    const file = await scenarioFile('short.yaml', shortScenario('slo: { p99Ms: 5000, errorRate: 0.5 }'));
    const out = join(dir, 'out-short');
    const { code, stdout, stderr } = await runCli(['run', file, '--out', out, '--quiet']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^report: .*index\.html$/);
    const result = await readResultJson(out);
    expect(result.schema).toBe('loadlab/result@1');
    expect(result.interrupted).toBe(false);
    expect(result.summary.requests).toBeGreaterThan(100);
    expect(result.summary.errors.total).toBe(0);
    expect(result.phases.map((p) => p.name)).toEqual(['warm', 'main']);
    // The service counted every response we received, give or take those in flight at the stop.
    expect(result.summary.serviceCounted).toBeDefined();
    const diff = Math.abs((result.summary.serviceCounted as number) - result.summary.requests);
    expect(diff).toBeLessThanOrEqual(result.summary.inFlightAtStop);
    // Each phase's connections can each hold one unanswered request when the phase ends.
    expect(result.summary.inFlightAtStop).toBeLessThanOrEqual(4 + 8);
    // Every second of load is in the series, and the series adds up to the total.
    expect(result.series.length).toBeGreaterThanOrEqual(3);
    expect(result.series.reduce((n, s) => n + s.requests, 0)).toBe(result.summary.requests);
    // A closed run records the generator's own load, and no open-model schedule check.
    expect(result.summary.generator?.elu).toBeGreaterThan(0);
    expect(result.summary.generator?.cpuPct).toBeGreaterThan(0);
    expect(result.summary.generator?.sendRatePlanned).toBeUndefined();
    expect(result.summary.generator?.suspect).toBeUndefined();
    expect(result.findings?.find((f) => f.rule === 'generator-saturated')?.verdict).not.toBe(
      'not-enough-data',
    );
    expect(result.slo.map((s) => [s.name, s.held])).toEqual([
      ['p99Ms', true],
      ['errorRate', true],
    ]);
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).toContain('e2e-short');
  });

  it('runs an open-model scenario: sends at the planned rate, times from the due time, and reports the generator’s check', async () => {
    const file = await scenarioFile(
      'open.yaml',
      `
name: e2e-open
seed: 7
dependencies:
  db: { capacity: 4, latency: { dist: constant, ms: 2 } }
load:
  model: open
  arrivals: poisson
  maxInFlight: 200
  phases:
    - { name: ramp, duration: 1s, rate: { from: 50, to: 200 } }
    - { name: steady, duration: 1s, rate: 200 }
  requests:
    - { weight: 8, method: GET, path: "/users/{{zipf 1 1000 1.1}}" }
    - { weight: 2, method: POST, path: /users, json: { name: "user-{{seq}}" } }
`,
    );
    const out = join(dir, 'out-open');
    const { code, stderr } = await runCli(['run', file, '--out', out, '--quiet']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = await readResultJson(out);
    const { summary } = result;
    expect(summary.dropped).toBe(0);
    // 125 + 200 arrivals planned; Poisson draws vary the count around it.
    expect(summary.sent).toBeGreaterThan(250);
    expect(summary.sent).toBeLessThan(400);
    expect(summary.requests + summary.inFlightAtStop).toBe(summary.sent);
    expect(summary.serviceTimeMs?.p50).toBeGreaterThan(0);
    expect(summary.serviceTimeMs?.p50).toBeLessThanOrEqual(summary.latencyMs.p50);
    expect(summary.generator?.sendRateAchieved).toBeGreaterThan(0);
    expect(result.phases.map((p) => [p.name, p.rate])).toEqual([
      ['ramp', { from: 50, to: 200 }],
      ['steady', { from: 200, to: 200 }],
    ]);
    expect(result.series.length).toBeGreaterThanOrEqual(2);
    expect(result.series[0]?.serviceTimeMs).toBeDefined();
    expect(result.series.reduce((n, s) => n + s.requests, 0)).toBe(summary.requests);
  });

  it('drives a service started with `loadlab serve` through --target, and the service counted exactly what was answered', async () => {
    const serve = startCli(['serve', '--set', 'dependencies.db.latency={dist: constant, ms: 1}']);
    await expect.poll(() => serve.stdout(), { timeout: 20_000 }).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n/);
    const url = serve.stdout().trim();
    const children = descendantsOf(serve.child.pid as number);
    // db, recommendations, the fault proxy in front of them, and the service.
    expect(children.length).toBe(4);
    // Nobody reads the service's telemetry in serve: it is not sent.
    const envOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const service = children.filter((pid) => envOf(pid).some((v) => v.startsWith('LOADLAB_SERVICE_CONFIG=')));
    expect(service).toHaveLength(1);
    expect(envOf(service[0] as number)).toContain('LOADLAB_TELEMETRY=off');
    // The proxy's admin URL and each dependency's proxied address are printed, and they are live.
    await expect.poll(() => serve.stderr()).toMatch(/proxy recommendations: /);
    const admin = /fault proxy admin API: (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.stderr())?.[1];
    expect(admin).toBeDefined();
    const proxies = (await (await fetch(`${admin}/proxies`)).json()) as Record<string, { listen: string }>;
    for (const name of ['db', 'recommendations']) {
      const printed = new RegExp(`^proxy ${name}: (\\S+) -> 127\\.0\\.0\\.1:\\d+`, 'm').exec(serve.stderr());
      expect(printed?.[1]).toBe(proxies[name]?.listen);
    }

    const file = await scenarioFile('target.yaml', shortScenario());
    const out = join(dir, 'out-target');
    const run = await runCli(['run', file, '--target', url, '--out', out, '--json', '--duration', '1s']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as ResultDocument['summary'];
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^report: /);

    const metrics = parsePromText(await (await fetch(`${url}/metrics`)).text());
    const counted = sumSamples(metrics, 'http_requests_total', (l) => l.route?.startsWith('/users') ?? false);
    expect(Math.abs(counted - summary.requests)).toBeLessThanOrEqual(summary.inFlightAtStop);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    for (const pid of children) expect(isAlive(pid)).toBe(false);
  });

  it('exits 1 when an SLO is missed, and says by how much', async () => {
    const { code, stdout, out } = await missedSloRun();
    expect(code).toBe(1);
    expect(stdout).toMatch(/p99/);
    const result = await readResultJson(out);
    expect(result.slo[0]?.held).toBe(false);
    expect(result.slo[0]?.margin).toBeLessThan(0);
  });

  it('on SIGINT stops every process it started within 5 s, writes what it measured, and exits 130', async () => {
    const file = await scenarioFile(
      'long.yaml',
      shortScenario().replace('duration: 2s, connections: 8', 'duration: 60s, connections: 8'),
    );
    const out = join(dir, 'out-interrupt');
    const run = startCli(['run', file, '--out', out]);
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/phase 2: main/);
    const children = descendantsOf(run.child.pid as number);
    // db, recommendations, the fault proxy in front of them, and the service.
    expect(children.length).toBe(4);
    const signalledAt = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    const tookMs = Date.now() - signalledAt;
    expect(code).toBe(130);
    expect(tookMs).toBeLessThan(5000);
    for (const pid of children) expect(isAlive(pid)).toBe(false);
    const result = await readResultJson(out);
    expect(result.interrupted).toBe(true);
    expect(result.summary.requests).toBeGreaterThan(0);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });

  it('fails with exit 3 and the service’s last log lines when the service dies mid-run, still writing the result', async () => {
    const file = await scenarioFile(
      'dies.yaml',
      shortScenario().replace('duration: 2s, connections: 8', 'duration: 60s, connections: 8'),
    );
    const out = join(dir, 'out-dies');
    const run = startCli(['run', file, '--out', out]);
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/phase 2: main/);
    const children = descendantsOf(run.child.pid as number);
    const service = children.find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('reference-service'),
    ) as number;
    expect(service).toBeDefined();
    process.kill(service, 'SIGKILL');
    const code = await run.exited;
    expect(code).toBe(3);
    expect(run.stderr()).toContain('CHILD_FAILED');
    expect(run.stderr()).toContain('the service process died during the run (signal SIGKILL)');
    for (const pid of children) expect(isAlive(pid)).toBe(false);
    const result = await readResultJson(out);
    expect(result.abortReason).toContain('died during the run');
    expect(result.failure).toEqual({ code: 'CHILD_FAILED', message: result.abortReason });
    expect(result.summary.requests).toBeGreaterThan(0);
  });

  it('reports every mistake of a scenario at once with exit code 2, and starts nothing', async () => {
    const file = await scenarioFile(
      'broken.yaml',
      `name: broken
load:
  model: closed
  phases:
    - { duration: 5q, connections: 4 }
  requests:
    - { path: "/users/{{zipff 1 10}}" }
service:
  db: { pool: { max: ten } }
`,
    );
    const out = join(dir, 'out-broken');
    const { code, stderr, stdout } = await runCli(['run', file, '--out', out]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('load.phases[0].duration');
    expect(stderr).toContain('service.db.pool.max');
    expect(stderr).toContain('load.requests[0].path');
    expect(stderr).toContain('zipff');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 3 when the target does not answer, leaving no empty output folder behind', async () => {
    const port = await freePort();
    const file = await scenarioFile('unreachable.yaml', shortScenario());
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    const { code, stderr } = await runCli(['run', file, '--target', `http://127.0.0.1:${port}`, '--quiet'], {
      cwd,
    });
    expect(code).toBe(3);
    expect(stderr).toContain('TARGET_UNREACHABLE');
    // The default folder (reports/<name>-<time>/) was made to check it can be written; nothing
    // was written into it, so it is gone again.
    expect(existsSync(join(cwd, 'reports')) ? await readdir(join(cwd, 'reports')) : []).toEqual([]);
  });

  it('refuses a target that is not an http(s) URL, or carries credentials, with exit code 2 and nothing sent', async () => {
    const file = await scenarioFile('remote.yaml', shortScenario());
    const [scheme, credentials] = await Promise.all([
      runCli(['run', file, '--target', 'ftp://127.0.0.1:21', '--quiet']),
      runCli(['run', file, '--target', 'http://user:secret@127.0.0.1:1', '--quiet']),
    ]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('expected an http:// or https:// URL');
    expect(credentials.code).toBe(2);
    expect(credentials.stderr).toContain('without credentials');
    // The password is never echoed back.
    expect(credentials.stderr).not.toContain('secret');
  });
});

describe('loadlab serve', () => {
  it('exits 3 with the service’s last log lines when the service cannot start, and leaves no process behind', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startCli(['serve', '--port', String(port)]);
      const code = await run.exited;
      expect(code).toBe(3);
      expect(run.stderr()).toContain('CHILD_FAILED');
      expect(run.stderr()).toMatch(/EADDRINUSE/);
      expect(descendantsOf(run.child.pid as number)).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});

describe('loadlab validate', () => {
  it('prints the resolved plan of the quickstart scenario', async () => {
    const { code, stdout } = await runCli(['validate', 'scenarios/quickstart.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('warmup');
    expect(stdout).toContain('busy');
  });

  it('answers --help for every command', async () => {
    const commands = ['run', 'validate', 'serve', 'report'];
    const helps = await Promise.all(commands.map((cmd) => runCli([cmd, '--help'])));
    commands.forEach((cmd, i) => {
      expect(helps[i]?.code).toBe(0);
      expect(helps[i]?.stdout).toContain(`loadlab ${cmd}`);
    });
  });

  it('rejects an unknown flag with exit code 2', async () => {
    const { code, stderr } = await runCli(['validate', 'scenarios/quickstart.yaml', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bogus/);
  });
});

describe('loadlab report', () => {
  it('rebuilds index.html from a result.json', async () => {
    // The run of the missed SLO: a report is rebuilt whatever the verdict.
    const { out } = await missedSloRun();
    await rm(join(out, 'index.html'));
    const { code, stdout } = await runCli(['report', join(out, 'result.json')]);
    expect(code).toBe(0);
    expect(stdout).toContain('index.html');
    expect(await readdir(out)).toContain('index.html');
  });

  it('rejects a file that is not a result, with exit code 2', async () => {
    const file = await scenarioFile('not-a-result.json', '{"hello": 1}');
    const { code, stderr } = await runCli(['report', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('RESULT_INVALID');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
