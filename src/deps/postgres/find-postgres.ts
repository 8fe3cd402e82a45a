/**
 * Finds the PostgreSQL server binaries (`initdb`, `postgres`) of this machine: first on the PATH,
 * then in Debian's versioned folders (/usr/lib/postgresql/<major>/bin, newest first). Absent, it
 * throws CHILD_FAILED naming the package to install.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadlabError } from '../../shared/index.js';

/** Absolute paths of the server binaries an embedded cluster needs. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Where Debian and Ubuntu install the server binaries, one folder per major version. */
export const debianPostgresRoot = '/usr/lib/postgresql';

/** The message a missing installation is reported with; also printed by tests that skip. */
export const installHint =
  'PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin: ' +
  'install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql)';

/**
 * The binaries found in `pathVar` (a PATH string, may be undefined) or under `root`, or
 * undefined when there are none. Both binaries must come from the same folder.
 */
export function locatePostgres(
  pathVar: string | undefined,
  root = debianPostgresRoot,
): PostgresBinaries | undefined {
  const folders = (pathVar ?? '').split(delimiter).filter((dir) => dir !== '');
  folders.push(...versionFolders(root));
  for (const dir of folders) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) return { initdb, postgres };
  }
  return undefined;
}

/** Like {@link locatePostgres}, but throws CHILD_FAILED with {@link installHint} when absent. */
export function findPostgres(pathVar: string | undefined, root = debianPostgresRoot): PostgresBinaries {
  const found = locatePostgres(pathVar, root);
  if (found === undefined) throw loadlabError('CHILD_FAILED', installHint);
  return found;
}

function versionFolders(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return []; // no Debian-style installation: only the PATH counts
  }
  return names
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((name) => join(root, name, 'bin'));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
