/**
 * Writes a run's output folder: result.json and index.html. Each file is written under a
 * temporary name in the same folder, flushed to disk, then renamed into place, so a reader
 * (or a run killed half-way) never sees a half-written file.
 *
 *   before the run: checkOutputFolder(dir)  create it, write and remove a probe file
 *   after the run:  writeRunOutput(dir, …)  create it again if it vanished, write each file atomically
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { loadlabError } from '../shared/index.js';
import { latencyLogFileName } from './hlog.js';
import type { ResultDocument } from './types.js';

/** File names inside a run's output folder. */
export const outputFileNames = { result: 'result.json', html: 'index.html' } as const;

/** What one run leaves behind: the result document and its rendered report. */
export interface RunOutput {
  result: ResultDocument;
  html: string;
  /** The run's HdrHistogram interval log (latency.hlog), when there is one. */
  latencyLog?: string;
}

/** Absolute or relative paths of the files written, as built from the folder given. */
export interface RunOutputPaths {
  resultPath: string;
  htmlPath: string;
  /** Set when the interval log was written. */
  latencyLogPath?: string;
}

/**
 * Creates `dir` (and its parents) if needed and writes result.json (2-space JSON) and index.html
 * into it atomically. Fails with a LoadlabError OUTPUT_FAILED naming the path that could not be
 * written.
 */
export async function writeRunOutput(dir: string, output: RunOutput): Promise<RunOutputPaths> {
  await ensureFolder(dir);
  const resultPath = join(dir, outputFileNames.result);
  const htmlPath = join(dir, outputFileNames.html);
  await writeFileAtomically(resultPath, `${JSON.stringify(output.result, null, 2)}\n`);
  await writeFileAtomically(htmlPath, output.html);
  if (output.latencyLog === undefined) return { resultPath, htmlPath };
  const latencyLogPath = join(dir, latencyLogFileName);
  await writeFileAtomically(latencyLogPath, output.latencyLog);
  return { resultPath, htmlPath, latencyLogPath };
}

/**
 * Checks, before a run starts, that `dir` can hold its output: creates it (and its parents) and
 * writes, syncs and removes a probe file. Fails with OUTPUT_FAILED naming the path and the reason.
 */
export async function checkOutputFolder(dir: string): Promise<void> {
  await ensureFolder(dir);
  const probe = join(dir, `.loadlab-probe-${randomBytes(6).toString('hex')}`);
  try {
    const file = await open(probe, 'wx');
    try {
      await file.writeFile('probe\n', 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rm(probe);
  } catch (err) {
    await rm(probe, { force: true }).catch(() => undefined);
    throw loadlabError('OUTPUT_FAILED', `cannot write into the output folder ${dir}: ${reasonOf(err)}`, {
      cause: err,
    });
  }
}

/**
 * Creates `dir` and any missing parents, one level at a time from the deepest that exists.
 * Node's own `mkdir({recursive: true})` loops forever where mkdir answers ENOENT under a parent
 * that exists (/proc/foo); here each level is tried once and any failure is an OUTPUT_FAILED.
 */
export async function ensureFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const kind = await kindOf(at);
    if (kind === 'folder') break;
    if (kind === 'other') {
      throw loadlabError('OUTPUT_FAILED', `cannot create the output folder ${dir}: ${at} is not a folder`);
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (err) {
      // Another process may have made it meanwhile: that is as good.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await kindOf(level)) === 'folder') continue;
      throw loadlabError('OUTPUT_FAILED', `cannot create the output folder ${dir}: ${reasonOf(err)}`, {
        cause: err,
      });
    }
  }
}

async function kindOf(path: string): Promise<'folder' | 'other' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent is a file; going up finds which.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw loadlabError('OUTPUT_FAILED', `cannot use the output folder ${path}: ${reasonOf(err)}`, {
      cause: err,
    });
  }
}

/** Writes `text` to a temporary sibling of `path`, syncs it, and renames it over `path`. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (err) {
    const problems: string[] = [];
    try {
      await rm(temporary, { force: true });
    } catch (cleanupErr) {
      problems.push(`the temporary file ${temporary} could not be removed: ${reasonOf(cleanupErr)}`);
    }
    throw loadlabError('OUTPUT_FAILED', `cannot write ${path}: ${reasonOf(err)}`, { cause: err, problems });
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
