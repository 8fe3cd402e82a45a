/**
 * Reclaims cluster folders left behind by a killed wrapper: each wrapper writes its PID into
 * `owner.pid` of its folder, and the next wrapper's start removes every `loadlab-pg-*` folder
 * in the same root whose owner and postmaster are both gone. A folder without an owner file (an
 * in-process cluster, or one still being made) or with a live PID is left alone; a reused PID
 * only delays the reclaim.
 *
 *   wrapper SIGKILLed ─▶ folder stays ─▶ next wrapper: owner dead? postmaster dead? ─▶ rm -rf
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the file holding the owning process's PID, inside the cluster folder. */
export const ownerFile = 'owner.pid';

/** Prefix of every cluster folder's name. */
export const folderPrefix = 'loadlab-pg-';

/** True while a process with `pid` runs (Linux /proc; a zombie nobody reaped counts as gone). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Records `pid` as the owner of the cluster folder `dir`. */
export async function markOwner(dir: string, pid: number): Promise<void> {
  await writeFile(join(dir, ownerFile), `${pid}\n`, { mode: 0o600 });
}

/**
 * Removes the folders under `root` whose owner and postmaster have exited; returns their paths.
 * Never throws: a folder that cannot be read or removed is skipped.
 */
export async function reclaimStaleFolders(
  root: string,
  isAlive: (pid: number) => boolean = pidExists,
): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(root)).filter((name) => name.startsWith(folderPrefix));
  } catch {
    return [];
  }
  const reclaimed: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const owner = await readPid(join(dir, ownerFile));
    if (owner === undefined || isAlive(owner)) continue;
    const postmaster = await readPid(join(dir, 'data', 'postmaster.pid'));
    if (postmaster !== undefined && isAlive(postmaster)) continue;
    try {
      await rm(dir, { recursive: true, force: true });
      reclaimed.push(dir);
    } catch {
      continue; // someone else's, or being removed already
    }
  }
  return reclaimed;
}

/** The PID on the first line of `file`, or undefined when it is missing or not a PID. */
async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
