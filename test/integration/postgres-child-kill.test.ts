/**
 * The embedded PostgreSQL child when the lab's stop escalates to SIGKILL: the SIGKILL reaches the
 * whole process group, so the postgres server dies with its wrapper; and a postgres slow to stop
 * is SIGKILLed by the wrapper itself early enough that the wrapper still removes the folder and
 * exits 0 inside the lab's 3 s grace; a folder a killed wrapper left is reclaimed by the next
 * one. Real processes, checked by PID in /proc.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, type RunningChild } from '../../src/lab/child-process.js';
import { postgresConfigEnv } from '../../src/deps/postgres/index.js';
import { distEntry } from '../../src/shared/paths.js';
import { hasPostgres, isAlive, processesUsing } from '../helpers/postgres.js';

describe.runIf(hasPostgres())('the embedded PostgreSQL child under a SIGKILL escalation', () => {
  const entry = distEntry('src/deps/postgres/postgres-main.ts');
  const roots: string[] = [];
  const children: RunningChild[] = [];
  const stopped: number[] = [];
  afterEach(async () => {
    for (const pid of stopped.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGCONT');
    for (const child of children.splice(0)) await child.stop(200);
    for (const root of roots.splice(0)) {
      for (const pid of processesUsing(root)) process.kill(pid, 'SIGKILL');
      rmSync(root, { recursive: true, force: true });
    }
  });

  /** Starts the child with its temp folder under `reuse` or a fresh root; returns it, its folder and postgres's PIDs. */
  const start = async (
    reuse?: string,
  ): Promise<{ child: RunningChild; dir: string; root: string; pids: number[] }> => {
    const root = reuse ?? mkdtempSync(join(tmpdir(), 'loadlab-pgkill-'));
    chmodSync(root, 0o755); // the postgres account (under root) must reach its folder inside
    if (reuse === undefined) roots.push(root);
    const before = new Set(readdirSync(root));
    const child = await startChild({
      name: 'postgres',
      execPath: process.execPath,
      entry,
      env: { PATH: process.env.PATH, TMPDIR: root, [postgresConfigEnv]: '{}' },
      readyTimeoutMs: 30_000,
    });
    children.push(child);
    const folders = readdirSync(root).filter((name) => name.startsWith('loadlab-pg-') && !before.has(name));
    expect(folders).toHaveLength(1);
    const dir = join(root, folders[0] as string);
    const pids = processesUsing(dir);
    expect(pids.length).toBeGreaterThan(0); // the postmaster names its data folder on its command line
    return { child, dir, root, pids };
  };

  it('kills the postgres server with its wrapper when the lab SIGKILLs', async () => {
    const { child, dir, root, pids } = await start();
    // A wrapper that cannot act on SIGTERM (stopped): the lab's escalation is all that is left.
    process.kill(child.pid, 'SIGSTOP');
    stopped.push(child.pid);
    expect(await child.stop(200)).toEqual({ code: null, signal: 'SIGKILL' });
    await expect.poll(() => pids.filter(isAlive), { timeout: 5000 }).toEqual([]);
    // The killed wrapper could not remove its folder: the next one in the same root reclaims it.
    expect(existsSync(dir)).toBe(true);
    const next = await start(root);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(next.dir)).toBe(true);
  });

  it('stops a postgres that ignores the fast shutdown and removes its folder within the lab’s grace', async () => {
    const { child, dir, pids } = await start();
    // A postmaster that does not react (stopped) until the wrapper's own SIGKILL.
    const postmaster = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(pids).toContain(postmaster);
    process.kill(postmaster, 'SIGSTOP');
    stopped.push(postmaster);
    const began = performance.now();
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(performance.now() - began).toBeLessThan(3000);
    expect(existsSync(dir)).toBe(false);
    await expect.poll(() => pids.filter(isAlive), { timeout: 5000 }).toEqual([]);
  });
});
