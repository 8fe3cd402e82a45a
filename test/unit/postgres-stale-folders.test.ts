/**
 * Reclaiming the folders of killed cluster wrappers removes only folders whose owner and
 * postmaster are both gone; a folder without an owner file, or with a live owner or postmaster,
 * stays (a cluster being made, an in-process cluster, a wrapper of a parallel run).
 */
import { mkdirSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markOwner, pidExists, reclaimStaleFolders } from '../../src/deps/postgres/stale-folders.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('reclaimStaleFolders', () => {
  it('removes only folders whose owner and postmaster are dead', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loadlab-stale-'));
    roots.push(root);
    const live = new Set([100, 300]);
    const folder = async (name: string, owner?: number, postmaster?: number): Promise<string> => {
      const dir = join(root, name);
      mkdirSync(join(dir, 'data'), { recursive: true });
      if (owner !== undefined) await markOwner(dir, owner);
      if (postmaster !== undefined)
        await writeFile(join(dir, 'data', 'postmaster.pid'), `${postmaster}\n/x\n`);
      return dir;
    };
    const dead = await folder('loadlab-pg-dead', 200, 201);
    const deadNoServer = await folder('loadlab-pg-deadnoserver', 202);
    await folder('loadlab-pg-liveowner', 100, 201);
    await folder('loadlab-pg-liveserver', 203, 300);
    await folder('loadlab-pg-noowner');
    await folder('other-dead', 204);
    const removed = await reclaimStaleFolders(root, (pid) => live.has(pid));
    expect(removed.sort()).toEqual([dead, deadNoServer].sort());
    expect(readdirSync(root).sort()).toEqual([
      'loadlab-pg-liveowner',
      'loadlab-pg-liveserver',
      'loadlab-pg-noowner',
      'other-dead',
    ]);
  });

  it('returns nothing for a root that does not exist', async () => {
    expect(await reclaimStaleFolders(join(tmpdir(), 'loadlab-no-such-root-x'))).toEqual([]);
  });

  it('sees this process as alive and an impossible PID as gone', () => {
    expect(pidExists(process.pid)).toBe(true);
    expect(pidExists(0)).toBe(false);
    expect(pidExists(2 ** 22 + 1)).toBe(false);
  });
});
