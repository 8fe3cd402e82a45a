/**
 * `loadlab merge <dir>... --out DIR`: the output folders of `loadlab run --shard i/n` merged into
 * one run folder (result.json, latency.hlog, index.html), exactly (docs/distributed.md).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { analyseRun } from '../analysis/index.js';
import { mergeShards, type ShardInput } from '../lab/index.js';
import { formatSummary, renderReportHtml } from '../report/index.js';
import {
  latencyLogFileName,
  outputFileNames,
  parseLatencyLog,
  readResult,
  writeRunOutput,
} from '../results/index.js';
import { ExitCode, isLoadlabError, loadlabError } from '../shared/index.js';
import { note, printError } from './output.js';
import { checkOutFlag, defaultOutDir } from './run-flags.js';
import { commandEntry } from './command-table.js';

interface MergeArgs {
  dirs: string[];
  out?: string;
  json: boolean;
}

export function registerMerge(yargs: Argv): Argv {
  return yargs.command<MergeArgs>(
    commandEntry('merge').usage,
    commandEntry('merge').summary,
    (y) =>
      y
        .strict()
        .positional('dirs', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: "Each shard's output folder (or its result.json)",
        })
        .option('out', {
          type: 'string',
          describe:
            'Folder for the merged result.json, latency.hlog and index.html (default reports/<name>-merged-<stamp>)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print only the merged summary, as JSON',
        })
        .epilog(
          'Refuses (exit 2) results of different scenarios, shard counts or start times, and a shard given twice; says which shards are missing. Exit otherwise as `run`: 0 every SLO held, 1 an SLO missed, 3 a shard failed, 130 a shard was interrupted.',
        ),
    async (args) => {
      process.exitCode = await mergeCommand(args);
    },
  );
}

async function mergeCommand(args: MergeArgs): Promise<number> {
  try {
    checkOutFlag(args.out);
    return await mergeFolders(args.dirs, args.out, args.json);
  } catch (error) {
    return printError(error);
  }
}

/** Merges the shard folders `dirs` into `out`, prints the summary, and returns the exit code. */
export async function mergeFolders(
  dirs: readonly string[],
  out: string | undefined,
  json: boolean,
): Promise<number> {
  const inputs = await readShards(dirs);
  const merged = mergeShards(inputs);
  const result = analyseRun(merged.result);
  const outDir = resolve(out ?? defaultOutDir(`${result.scenario.name}-merged`));
  const paths = await writeRunOutput(outDir, {
    result,
    html: renderReportHtml(result),
    latencyLog: merged.latencyLog,
  });
  const missing = result.merged?.missing ?? [];
  if (missing.length > 0) {
    note(
      `loadlab: shards missing: ${missing.map((i) => `${i}/${result.merged?.count}`).join(', ')}: the merged result holds less than the planned load`,
    );
  }
  if (json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
  else process.stdout.write(formatSummary(result, { color: process.stdout.isTTY === true }) + '\n');
  const last = `report: ${relative(process.cwd(), paths.htmlPath) || paths.htmlPath}`;
  if (json) note(last);
  else process.stdout.write(last + '\n');
  if (result.failure !== undefined) {
    note(`loadlab: a shard failed: ${result.failure.message} [${result.failure.code}]`);
    return ExitCode.runFailed;
  }
  if (result.interrupted) return ExitCode.interrupted;
  return result.slo.every((c) => c.held) ? ExitCode.ok : ExitCode.sloFailed;
}

/** Reads every folder's result.json and latency.hlog; every folder that cannot be read is named at once. */
async function readShards(dirs: readonly string[]): Promise<ShardInput[]> {
  const problems: string[] = [];
  const inputs: ShardInput[] = [];
  for (const given of dirs) {
    const dir = basename(given) === outputFileNames.result ? dirname(given) : given;
    try {
      const result = await readResult(join(dir, outputFileNames.result));
      const logPath = join(dir, latencyLogFileName);
      let text: string;
      try {
        text = await readFile(logPath, 'utf8');
      } catch (err) {
        throw loadlabError(
          'MERGE_INPUT',
          `${logPath}: expected the shard's latency log, found none (${(err as Error).message})`,
        );
      }
      inputs.push({ source: dir, result, intervals: parseLatencyLog(text, logPath).intervals });
    } catch (error) {
      if (!isLoadlabError(error)) throw error;
      problems.push(...(error.problems.length > 0 ? error.problems : [error.message]));
    }
  }
  if (problems.length > 0) {
    throw loadlabError(
      'MERGE_INPUT',
      `the folders given cannot be merged (${problems.length} problem${problems.length > 1 ? 's' : ''})`,
      {
        problems,
      },
    );
  }
  return inputs;
}
