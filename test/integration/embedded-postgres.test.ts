/**
 * The throw-away PostgreSQL cluster, for real: initdb and postgres on a free loopback port (as
 * the postgres account under root), stopped and started again on the same port, and nothing left
 * behind afterwards — no folder, no process, checked by PID — whether it is closed in-process or
 * its child process is stopped or loses its parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChild, type RunningChild } from '../../src/lab/child-process.js';
import {
  findPostgres,
  postgresConfigEnv,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/deps/postgres/index.js';
import { distEntry } from '../../src/shared/paths.js';
import { hasPostgres, isAlive, processesUsing, processTree } from '../helpers/postgres.js';

async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('finding PostgreSQL', () => {
  it('names the package to install when the binaries are absent', () => {
    expect(() => findPostgres('/nonexistent', '/nonexistent-root')).toThrow(
      expect.objectContaining({
        code: 'CHILD_FAILED',
        message: expect.stringContaining('apt-get install postgresql'),
      }),
    );
  });
});

describe.runIf(hasPostgres())('an embedded cluster', () => {
  let cluster: EmbeddedPostgres;
  let tree: number[] = [];
  beforeAll(async () => {
    cluster = await startEmbeddedPostgres();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('answers queries on a loopback port, from a temp folder owned by the server account', async () => {
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    expect(await query(cluster.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    expect(await query(cluster.url, 'show fsync')).toEqual([{ fsync: 'off' }]);
    const owner = statSync(cluster.dir).uid;
    if (userInfo().uid === 0) expect(owner).not.toBe(0);
    expect(cluster.pid).toBeDefined();
    tree = processTree(cluster.pid as number);
    expect(tree.length).toBeGreaterThan(1); // the postmaster and its background processes
  });

  it('stops and starts again on the same port with the same data', async () => {
    await query(cluster.url, 'create table kept (n int); insert into kept values (7)');
    const before = cluster.pid as number;
    await cluster.stopServer('fast');
    expect(cluster.pid).toBeUndefined();
    expect(isAlive(before)).toBe(false);
    await expect(query(cluster.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
    await cluster.startServer();
    expect(await query(cluster.url, 'select n from kept')).toEqual([{ n: 7 }]);
  });

  it('leaves no folder and no process behind once closed', async () => {
    const all = [...tree, ...processTree(cluster.pid as number)];
    await cluster.close();
    expect(existsSync(cluster.dir)).toBe(false);
    expect(all.filter(isAlive)).toEqual([]);
  });
});

describe.runIf(hasPostgres())('an embedded cluster that cannot start', () => {
  it("fails with CHILD_FAILED and postgres's own words, leaving no folder behind", async () => {
    const tmpRoot = mkdtempSync(join(tmpdir(), 'loadlab-pg-fail-'));
    chmodSync(tmpRoot, 0o755); // the postgres account must reach the cluster folder inside it
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(startEmbeddedPostgres({ port, tmpRoot, startTimeoutMs: 15_000 })).rejects.toMatchObject({
        code: 'CHILD_FAILED',
        problems: expect.arrayContaining([expect.stringMatching(/could not (bind|create listen)/i)]),
      });
      expect(readdirSync(tmpRoot)).toEqual([]);
    } finally {
      taken.close();
      rmSync(tmpRoot, { recursive: true, force: true });
    }
  });
});

describe.runIf(hasPostgres())('an embedded cluster whose start is aborted (Ctrl-C while it starts)', () => {
  it.each([50, 400])('stops what it started after %i ms and removes its folder', async (afterMs) => {
    const tmpRoot = mkdtempSync(join(tmpdir(), 'loadlab-pg-abort-'));
    chmodSync(tmpRoot, 0o755);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), afterMs);
    try {
      // initdb alone takes most of a second: both aborts land in the start (initdb, then the server).
      await expect(startEmbeddedPostgres({ tmpRoot, signal: abort.signal })).rejects.toMatchObject({
        code: 'CHILD_FAILED',
      });
      expect(readdirSync(tmpRoot)).toEqual([]);
      await expect.poll(() => processesUsing(tmpRoot), { timeout: 5000 }).toEqual([]);
    } finally {
      clearTimeout(timer);
      rmSync(tmpRoot, { recursive: true, force: true });
    }
  });
});

describe.runIf(hasPostgres())('the embedded cluster as a child process of a run', () => {
  const entry = distEntry('src/deps/postgres/postgres-main.ts');
  const env = { PATH: process.env.PATH, [postgresConfigEnv]: '{}' };
  const children: RunningChild[] = [];
  const forked: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) await child.stop();
    for (const child of forked.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** The cluster folder and every PID of the server below the child `pid`. */
  const inspect = async (url: string, pid: number): Promise<{ dir: string; pids: number[] }> => {
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(await query(url, 'select 2 as two')).toEqual([{ two: 2 }]);
    const pids = processTree(pid).filter((p) => p !== pid);
    const postmaster = pids.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('loadlab-pg-'));
    expect(postmaster).toBeDefined();
    const cmdline = readFileSync(`/proc/${postmaster}/cmdline`, 'utf8');
    const dir = /(\/[^\0]*loadlab-pg-[^/\0]+)/.exec(cmdline)?.[1] as string;
    expect(existsSync(dir)).toBe(true);
    return { dir, pids };
  };

  it('stops postgres and removes its folder on SIGTERM', async () => {
    const child = await startChild({
      name: 'postgres',
      execPath: process.execPath,
      entry,
      env,
      readyTimeoutMs: 30_000,
    });
    children.push(child);
    const { dir, pids } = await inspect(child.url, child.pid);
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('takes postgres down when its parent goes away', async () => {
    const child = fork(entry, [], { env, stdio: 'ignore' });
    forked.push(child);
    const ready = await new Promise<{ url: string }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { url: string }));
      child.once('exit', (code) => reject(new Error(`exited early (${code})`)));
    });
    const { dir, pids } = await inspect(ready.url, child.pid as number);
    // What a killed orchestrator does to the child: the IPC channel closes.
    child.disconnect();
    await expect.poll(() => [...pids, child.pid as number].filter(isAlive), { timeout: 10_000 }).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});
