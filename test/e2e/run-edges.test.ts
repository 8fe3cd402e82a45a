/**
 * The run's edges through the real CLI: a target whose /metrics misbehaves, output folders that
 * cannot be written, a refused connection, and how `serve` and `proxy` stop on Ctrl-C.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/types.js';
import { descendantsOf, isAlive, killStartedClis, runCli, startCli, type CliRun } from '../helpers/cli.js';
import { startMisbehavingTarget, type MisbehavingTarget } from '../helpers/misbehaving-metrics.js';

let dir: string;
const targets: MisbehavingTarget[] = [];
const extraDirs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-edges-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  killStartedClis();
  for (const t of targets.splice(0)) await t.close();
  for (const d of extraDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const scenario = (duration: string) => `
name: edges
load:
  model: closed
  phases:
    - { name: main, duration: ${duration}, connections: 2 }
  requests:
    - { path: / }
`;

async function scenarioFile(name: string, duration: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, scenario(duration));
  return file;
}

async function readResult(outDir: string): Promise<ResultDocument> {
  return JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8')) as ResultDocument;
}

/** A target whose /metrics trickles 1 KB every 50 ms, for up to 2 MB (100 s: longer than any test). */
async function tricklingTarget(): Promise<MisbehavingTarget> {
  const t = await startMisbehavingTarget({ kind: 'trickle', capBytes: 2 * 1024 * 1024 });
  targets.push(t);
  return t;
}

/** The peak resident memory of `pid` seen by sampling /proc every 50 ms until `until` settles. */
async function peakRssBytes(pid: number, until: Promise<unknown>): Promise<number> {
  let peak = 0;
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      peak = Math.max(peak, Number(kb ?? 0) * 1024);
    } catch {
      // The process has just exited.
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return peak;
}

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

describe('loadlab run --target whose /metrics misbehaves', () => {
  it('ends a 2 s run on time when /metrics trickles, and notes the scrapes that missed their deadline', async () => {
    const target = await tricklingTarget();
    const file = await scenarioFile('trickle.yaml', '2s');
    const out = join(dir, 'out-trickle');
    const started = performance.now();
    const { code, stderr } = await runCli(['run', file, '--target', target.url, '--out', out, '--quiet']);
    const tookMs = performance.now() - started;
    expect(code, stderr).toBe(0);
    // 2 s of load plus start-up and the bounded final read (with room for a busy machine); the
    // trickle itself would take 100 s.
    expect(tookMs).toBeLessThan(40_000);
    const result = await readResult(out);
    expect(result.summary.sent).toBeGreaterThan(0);
    expect(result.telemetry?.note).toContain('did not finish within 800 ms');
    // Every /metrics exchange was ended by the reader, none ran to the server's end.
    expect(target.exchanges.length).toBeGreaterThan(0);
    await expect.poll(() => target.exchanges.every((e) => e.closedByReader)).toBe(true);
  }, 60_000);

  it('stops at the first Ctrl-C while /metrics trickles, writing the result, exit 130', async () => {
    const target = await tricklingTarget();
    const file = await scenarioFile('trickle-long.yaml', '60s');
    const out = join(dir, 'out-trickle-int');
    const run = startCli(['run', file, '--target', target.url, '--out', out]);
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/phase 1: main/);
    await expect.poll(() => target.exchanges.length, { timeout: 5000 }).toBeGreaterThan(0);
    const signalledAt = performance.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(code).toBe(130);
    expect(performance.now() - signalledAt).toBeLessThan(5000);
    expect(run.stderr()).toContain('SIGINT: stopping the run and writing what was measured');
    const result = await readResult(out);
    expect(result.interrupted).toBe(true);
    expect(result.abortReason).toBe('SIGINT received');
    expect(run.stdout()).toContain('interrupted (SIGINT received)');
    expect(run.stdout()).not.toContain('interrupted (interrupted)');
  });

  it('does not read a huge /metrics into memory: the scrape stops at its cap and the run ends on time', async () => {
    const target = await startMisbehavingTarget({ kind: 'huge', capBytes: 1024 * 1024 * 1024 });
    targets.push(target);
    const file = await scenarioFile('huge.yaml', '2s');
    const out = join(dir, 'out-huge');
    const run = startCli(['run', file, '--target', target.url, '--out', out, '--quiet']);
    const peak = await peakRssBytes(run.child.pid as number, run.exited);
    expect(await run.exited, run.stderr()).toBe(0);
    const result = await readResult(out);
    // The cap ends a scrape, or the deadline does first on a busy machine: either way unread.
    expect(result.telemetry?.note).toMatch(/more than 16 MiB|did not finish within 800 ms/);
    // The 16 MiB cap, not the 1 GiB body, bounds what the orchestrator holds.
    expect(peak).toBeLessThan(400 * 1024 * 1024);
    for (const e of target.exchanges) expect(e.bytesSent).toBeLessThan(1024 * 1024 * 1024);
  });
});

describe('loadlab run --out that cannot be written', () => {
  it('refuses an empty --out with exit 2 before anything starts', async () => {
    const file = await scenarioFile('empty-out.yaml', '2s');
    const { code, stdout, stderr } = await runCli(['run', file, '--out', '', '--quiet']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--out: expected a folder, got an empty string');
    expect(stderr).toContain('[BAD_FLAG]');
  });

  it('fails with exit 3 before the run when a parent of --out is a file', async () => {
    const plain = join(dir, 'plain-file');
    await writeFile(plain, 'not a folder');
    const file = await scenarioFile('file-parent.yaml', '2s');
    // Without --quiet: had anything started, its status lines would show on stderr.
    const { code, stdout, stderr } = await runCli(['run', file, '--out', join(plain, 'x')]);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain(`[OUTPUT_FAILED]`);
    expect(stderr).toContain(`${plain} is not a folder`);
    // Nothing was started: no database, no service.
    expect(stderr).not.toMatch(/starting|database|ready/);
  });

  it('fails with exit 3 at once for a folder under /proc, where mkdir -p would loop', async () => {
    const file = await scenarioFile('proc.yaml', '2s');
    const started = performance.now();
    const { code, stderr } = await runCli(['run', file, '--out', '/proc/loadlab-edges/x', '--quiet']);
    expect(code).toBe(3);
    expect(stderr).toContain('[OUTPUT_FAILED]');
    expect(stderr).toContain('/proc/loadlab-edges');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('saves the result to a temp folder, prints the summary and says where, when --out became a file mid-run', async () => {
    const target = await startMisbehavingTarget({ kind: 'trickle', capBytes: 0 });
    targets.push(target);
    const file = await scenarioFile('replaced.yaml', '2s');
    const out = join(dir, 'out-replaced');
    const run = startCli(['run', file, '--target', target.url, '--out', out]);
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/phase 1: main/);
    expect(existsSync(out)).toBe(true);
    await rm(out, { recursive: true });
    await writeFile(out, 'in the way');
    const code = await run.exited;
    expect(code).toBe(3);
    expect(run.stdout()).toMatch(/requests/);
    const saved = /the result was saved to (\S+) instead/.exec(run.stderr())?.[1];
    expect(saved, run.stderr()).toBeDefined();
    extraDirs.push(saved as string);
    expect(run.stderr()).toContain(`${out} is not a folder`);
    const result = await readResult(saved as string);
    expect(result.failure?.code).toBe('OUTPUT_FAILED');
    // What was measured is kept: the load sent, over the phase that ran.
    expect(result.summary.sent).toBeGreaterThan(0);
    expect(result.phases.map((p) => p.name)).toEqual(['main']);
    expect(existsSync(join(saved as string, 'index.html'))).toBe(true);
  });

  it('creates --out again when it vanished mid-run, and writes the result there', async () => {
    const target = await startMisbehavingTarget({ kind: 'trickle', capBytes: 0 });
    targets.push(target);
    const file = await scenarioFile('vanished.yaml', '2s');
    const out = join(dir, 'out-vanished', 'deeper');
    const run = startCli(['run', file, '--target', target.url, '--out', out]);
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/phase 1: main/);
    await rm(join(dir, 'out-vanished'), { recursive: true });
    expect(await run.exited, run.stderr()).toBe(0);
    const result = await readResult(out);
    expect(result.summary.sent).toBeGreaterThan(0);
    expect(result.phases.map((p) => p.name)).toEqual(['main']);
  });
});

describe('messages that say what happened', () => {
  it('says a refused connection was refused', async () => {
    const port = await freePort();
    const file = await scenarioFile('refused.yaml', '2s');
    const out = join(dir, 'out-refused');
    const { code, stderr } = await runCli([
      'run',
      file,
      '--target',
      `http://127.0.0.1:${port}`,
      '--out',
      out,
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain(`the target http://127.0.0.1:${port} refused the connection (ECONNREFUSED)`);
    expect(stderr).not.toContain('fetch failed');
  });

  async function firstLine(run: CliRun): Promise<void> {
    await expect
      .poll(() => run.stdout().includes('\n') || run.child.exitCode !== null, { timeout: 20_000 })
      .toBe(true);
  }

  it('has serve stop on Ctrl-C with exit 130, saying "stopping", leaving no process behind', async () => {
    const run = startCli(['serve', '--port', '0']);
    await firstLine(run);
    expect(run.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n/);
    const children = descendantsOf(run.child.pid as number);
    expect(children.length).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain('SIGINT: stopping (again to exit at once)');
    expect(run.stderr()).not.toContain('writing what was measured');
    for (const pid of children) expect(isAlive(pid)).toBe(false);
  });

  it('has proxy stop on Ctrl-C with exit 130, saying "stopping"', async () => {
    const run = startCli(['proxy', '--port', '0']);
    await firstLine(run);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain('SIGINT: stopping (again to exit at once)');
    expect(run.stderr()).not.toContain('writing what was measured');
  });
});
