/**
 * Test helpers for suites that need a real PostgreSQL: whether the machine has one (locally a
 * suite without it is skipped with a message naming the package; under CI=true it fails), and
 * the PIDs of postgres processes serving a given cluster folder, read from /proc, so tests can
 * prove that nothing outlives a cluster.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { installHint, locatePostgres } from '../../src/deps/postgres/index.js';

/** True when initdb and postgres are found. Under CI=true a missing installation throws instead. */
export function hasPostgres(): boolean {
  if (locatePostgres(process.env.PATH) !== undefined) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${installHint}`);
  process.stderr.write(`skipping PostgreSQL tests: ${installHint}\n`);
  return false;
}

/** PIDs of live processes whose command line mentions `dir` (the cluster's temp folder). */
export function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    if (cmdline.includes(dir)) pids.push(Number(name));
  }
  return pids;
}

/** True while a process with `pid` exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** `pid` and every live process below it (postgres's backends and background workers). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The second field is "(comm)", which may hold spaces: read from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      continue; // the process ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  }
  return tree.filter(isAlive);
}
