/**
 * Finding and reading the runs behind one side of a comparison: a result.json, a run folder
 * holding one, or a folder of repeated runs (run-1/, run-2/, ... or any sub-folders that hold a
 * result.json).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadlabError } from '../shared/index.js';
import { readResult } from './reader.js';
import type { ResultDocument } from './types.js';

/** The runs found at one path, with the file each was read from. */
export interface RunFiles {
  /** result.json paths, in natural order (run-2 before run-10). */
  files: string[];
  results: ResultDocument[];
}

const resultFileName = 'result.json';

/**
 * The result.json files at `path`. A folder whose sub-folders hold result.json files is a folder of
 * repeats, and those are its runs (a result.json beside them, such as an aggregate, is not a run);
 * otherwise a folder's own result.json is its one run. Fails with COMPARE_INPUT naming the path
 * when it does not exist or holds no result.
 */
export async function findRunFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw loadlabError('COMPARE_INPUT', `${path}: no such file or folder`, { cause: err });
  }
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const repeats: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const candidate = join(path, entry.name, resultFileName);
    if (await isFile(candidate)) repeats.push(candidate);
  }
  if (repeats.length > 0) return repeats.sort(naturalOrder);
  const own = join(path, resultFileName);
  if (await isFile(own)) return [own];
  throw loadlabError(
    'COMPARE_INPUT',
    `${path}: expected a ${resultFileName} in the folder or in its sub-folders (run-1/, run-2/, ...), found none`,
  );
}

/** Reads every run at `path` (see {@link findRunFiles}); a file that is not a valid result fails with RESULT_INVALID naming it. */
export async function readRunFiles(path: string): Promise<RunFiles> {
  const files = await findRunFiles(path);
  const results: ResultDocument[] = [];
  for (const file of files) results.push(await readResult(file));
  return { files, results };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    // Missing: not a run here. Any other failure (permissions): let readResult report it by path.
    const code = (err as NodeJS.ErrnoException).code;
    return !(code === 'ENOENT' || code === 'ENOTDIR');
  }
}

const collator = new Intl.Collator('en', { numeric: true });
function naturalOrder(x: string, y: string): number {
  return collator.compare(x, y);
}
