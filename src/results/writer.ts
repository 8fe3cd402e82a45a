/**
 * Writes a run's output folder: result.json and index.html. Each file is written under a
 * temporary name in the same folder, flushed to disk, then renamed into place, so a reader
 * (or a run killed half-way) never sees a half-written file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw loadlabError('OUTPUT_FAILED', `cannot create the output folder ${dir}: ${reasonOf(err)}`, {
      cause: err,
    });
  }
  const resultPath = join(dir, outputFileNames.result);
  const htmlPath = join(dir, outputFileNames.html);
  await writeFileAtomically(resultPath, `${JSON.stringify(output.result, null, 2)}\n`);
  await writeFileAtomically(htmlPath, output.html);
  if (output.latencyLog === undefined) return { resultPath, htmlPath };
  const latencyLogPath = join(dir, latencyLogFileName);
  await writeFileAtomically(latencyLogPath, output.latencyLog);
  return { resultPath, htmlPath, latencyLogPath };
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
