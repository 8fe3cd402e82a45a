/**
 * The CI outputs every judging command offers: `--junit FILE` and `--markdown FILE`, the Markdown
 * also appended to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it. Only the CLI reads the env.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { writeFileAtomically } from '../results/index.js';
import { loadlabError } from '../shared/index.js';

export interface CiOutputArgs {
  junit?: string;
  markdown?: string;
}

/** Adds `--junit FILE` and `--markdown FILE` to a command. */
export function ciOutputOptions<T>(y: Argv<T>): Argv<T & CiOutputArgs> {
  return y
    .option('junit', {
      type: 'string',
      describe: 'Write a JUnit XML report here (one test case per verdict, threshold or SLO)',
    })
    .option('markdown', {
      type: 'string',
      describe:
        'Write a GitHub-flavoured Markdown summary here (also appended to $GITHUB_STEP_SUMMARY when that is set)',
    }) as Argv<T & CiOutputArgs>;
}

/**
 * Writes the requested outputs; with `--markdown`, the Markdown also goes to the end of
 * `$GITHUB_STEP_SUMMARY` when that is set and not empty (without `--markdown` nothing is appended,
 * so a tool run inside a CI step does not write to its summary unasked). Fails with OUTPUT_FAILED
 * naming the file that could not be written.
 */
export async function writeCiOutputs(
  args: CiOutputArgs,
  render: { junit: () => string; markdown: () => string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const written: string[] = [];
  if (args.junit !== undefined) written.push(await writeOutput(args.junit, render.junit(), '--junit'));
  if (args.markdown === undefined) return written;
  const markdown = render.markdown();
  written.push(await writeOutput(args.markdown, markdown, '--markdown'));
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') {
    try {
      await appendFile(stepSummary, markdown + '\n');
    } catch (err) {
      throw loadlabError(
        'OUTPUT_FAILED',
        `$GITHUB_STEP_SUMMARY (${stepSummary}): cannot append: ${message(err)}`,
        {
          cause: err,
        },
      );
    }
  }
  return written;
}

/** Writes `text` to `path` (folders made as needed); fails with OUTPUT_FAILED naming the flag and file. */
export async function writeOutput(path: string, text: string, flag: string): Promise<string> {
  const file = resolve(path);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomically(file, text);
  } catch (err) {
    throw loadlabError('OUTPUT_FAILED', `${flag} ${path}: cannot write: ${message(err)}`, { cause: err });
  }
  return file;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
