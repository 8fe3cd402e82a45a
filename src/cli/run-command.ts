/** `loadlab run <scenario>`: boot, drive, measure, write result.json and index.html (N times with --repeat). */
import { existsSync } from 'node:fs';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { analyseRun, judgeAbortSecond, startAbortWatch, summariseRepeats } from '../analysis/index.js';
import { runRepeats } from '../experiments/index.js';
import { runLab, type LabEvent, type LabOutcome } from '../lab/index.js';
import {
  formatRepeats,
  formatSummary,
  renderJunit,
  renderReportHtml,
  runMarkdown,
  runSuite,
} from '../report/index.js';
import { checkOutputFolder, writeFileAtomically, writeRunOutput } from '../results/index.js';
import type { ResultDocument, RunOutput, RunOutputPaths } from '../results/index.js';
import type { LabPlan, Scenario } from '../scenario/index.js';
import { ExitCode, isLoadlabError, loadlabError } from '../shared/index.js';
import type { LoadlabError } from '../shared/index.js';
import { ciOutputOptions, writeCiOutputs, type CiOutputArgs } from './ci-outputs.js';
import { collectEnvironment } from './environment.js';
import { onInterrupt } from './interrupt.js';
import { note, printError } from './output.js';
import { createProgress } from './progress.js';
import {
  checkShardFlags,
  fixedStart,
  shardFlagOptions,
  type ShardChoice,
  type ShardFlags,
} from './shard-flags.js';
import {
  checkOutFlag,
  checkTarget,
  defaultOutDir,
  planFromFlags,
  scenarioFlagOptions,
  type ScenarioFlags,
} from './run-flags.js';
import { commandEntry } from './command-table.js';
import { insecureWarning, targetFlagOptions, targetTransport, type TargetFlags } from './target-flags.js';

interface RunArgs extends CiOutputArgs, ScenarioFlags, ShardFlags, TargetFlags {
  target?: string;
  proxy?: string;
  out?: string;
  repeat: number;
  quiet: boolean;
  json: boolean;
}

export function registerRun(yargs: Argv): Argv {
  return yargs.command<RunArgs>(
    commandEntry('run').usage,
    commandEntry('run').summary,
    (y) =>
      targetFlagOptions(shardFlagOptions(scenarioFlagOptions(ciOutputOptions(y))))
        .strict()
        .positional('scenario', {
          type: 'string',
          demandOption: true,
          describe: 'Scenario file (YAML or JSON)',
        })
        .option('proxy', {
          type: 'string',
          describe: "With --target: your `loadlab proxy`'s admin URL, to apply the scenario's faults through",
        })
        .option('target', {
          type: 'string',
          describe:
            'Drive load at this running service instead of booting one: any http:// or https:// URL (docs/targets.md)',
        })
        .option('out', {
          type: 'string',
          describe:
            'Output folder (default reports/<name>-<YYYYMMDD-HHMMSS>); checked writable before the run. If it fails at the end, the result goes to a folder under the OS temp folder, named on stderr',
        })
        .option('repeat', {
          type: 'number',
          default: 1,
          describe:
            'Run N times, one after the other, into run-1/ … run-N/ of the output folder, plus repeats.json (median and range of each metric); `loadlab compare` takes the folder',
        })
        .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print only the summary (with --repeat: repeats.json), as JSON, on stdout',
        })
        .epilog(
          'Exit codes: 0 every SLO held, 1 an SLO missed (or an abortOnFail SLO stopped the run), ' +
            '2 invalid input, 3 the run failed, 130 interrupted (docs/errors.md). SLOs may be scoped ' +
            'to a phase or a fault window, measure recovery time and retry amplification, and stop ' +
            'the run early: docs/slo.md.',
        ),
    async (args) => {
      process.exitCode = await runCommand(args);
    },
  );
}

/** Most repeats one command may ask for. */
const maxRepeats = 100;

async function runCommand(args: RunArgs): Promise<number> {
  try {
    if (!Number.isInteger(args.repeat) || args.repeat < 1 || args.repeat > maxRepeats) {
      throw loadlabError(
        'BAD_FLAG',
        `--repeat: expected a whole number from 1 to ${maxRepeats}, got ${args.repeat}`,
      );
    }
    const target = args.target === undefined ? undefined : checkTarget(args.target);
    const transport = targetTransport(args, target);
    checkOutFlag(args.out);
    const sharding = checkShardFlags(args, Date.now());
    const { scenario, plan } = await planFromFlags(args, {
      ...(sharding.shard === undefined ? {} : { shard: sharding.shard }),
      ...(target === undefined ? {} : { target }),
      ...(transport === undefined ? {} : { transport }),
      ...(args.proxy === undefined ? {} : { proxy: args.proxy }),
      check: (s) => checkProxyFlag(args, s.faults.length),
    });
    if (transport?.tls?.insecure === true) note(insecureWarning);
    if (scenario.matrix !== undefined) {
      note(
        'loadlab: the scenario has a matrix: `run` runs it as written; `loadlab sweep` runs every variant',
      );
    }
    const outDir = resolve(args.out ?? defaultOutDir(scenario.name));
    // Before anything starts: a run whose output cannot be written is lost.
    const madeByCheck = !existsSync(outDir);
    await checkOutputFolder(outDir);
    try {
      return await runAndWrite(args, plan, scenario, outDir, sharding);
    } catch (error) {
      // A run that failed before writing anything leaves no empty folder behind.
      if (madeByCheck) await rmdir(outDir).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    return printError(error);
  }
}

/** One run (or `--repeat` runs) of `plan`, written to `outDir`; returns the exit code. */
async function runAndWrite(
  args: RunArgs,
  plan: LabPlan,
  scenario: Scenario,
  outDir: string,
  sharding: ShardChoice = {},
): Promise<number> {
  if (args.repeat > 1) return await repeatCommand(args, plan, outDir);

  const interrupt = onInterrupt(note, 'stopping the run and writing what was measured');
  const progress = createProgress({
    quiet: args.quiet,
    tty: process.stderr.isTTY === true,
    write: (t) => process.stderr.write(t),
  });
  // abortOnFail SLOs (docs/slo.md): judged second by second, they stop the run through this.
  const sloAbort = new AbortController();
  let watch = startAbortWatch(scenario.slo);
  const onEvent = (event: LabEvent): void => {
    progress.onEvent(event);
    if (event.type !== 'progress' || event.second === undefined || watch.limits.length === 0) return;
    const judged = judgeAbortSecond(watch, event.second);
    watch = judged.watch;
    if (judged.reason !== undefined && !sloAbort.signal.aborted) {
      note(`stopping the run: ${judged.reason}`);
      sloAbort.abort(judged.reason);
    }
  };
  let outcome;
  try {
    outcome = await runLab(plan, {
      runtime: { execPath: process.execPath, env: { ...process.env } },
      environment: collectEnvironment(),
      signal: AbortSignal.any([interrupt.signal, sloAbort.signal]),
      onEvent,
      ...(sharding.startAtMs === undefined ? {} : { startAt: fixedStart(sharding.startAtMs) }),
    });
  } finally {
    progress.end();
    interrupt.dispose();
  }
  return await finishRun(outcome, outDir, args, sloAbort.signal.aborted && !interrupt.signal.aborted);
}

/**
 * `--repeat N`: the runs one after the other into run-1/ … run-N/, each a complete run folder,
 * then repeats.json and a table of each metric's median and range. Stops at the first run that
 * fails or is interrupted (what ran is kept). Exit: the failure's code, 130 interrupted, 1 when an
 * SLO missed in any run, else 0.
 */
async function repeatCommand(args: RunArgs, plan: LabPlan, outDir: string): Promise<number> {
  const interrupt = onInterrupt(note, 'stopping the repeats and writing what was measured');
  const progress = createProgress({
    quiet: args.quiet,
    tty: process.stderr.isTTY === true,
    write: (t) => process.stderr.write(t),
  });
  const results: ResultDocument[] = [];
  const runs: string[] = [];
  let failure: LoadlabError | undefined;
  try {
    const outcomes = await runRepeats({
      plan,
      repeats: args.repeat,
      handles: {
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment: collectEnvironment(),
        signal: interrupt.signal,
      },
      onEvent: (repeat, event) => {
        if (event.type === 'load-started') note(`run ${repeat} of ${args.repeat}`);
        progress.onEvent(event);
      },
      onRun: async (repeat, outcome) => {
        progress.end();
        const result = analyseRun(outcome.result);
        const dir = `run-${repeat}`;
        await writeRunOutput(join(outDir, dir), {
          result,
          html: renderReportHtml(result),
          ...(outcome.latencyLog === undefined ? {} : { latencyLog: outcome.latencyLog }),
        });
        results.push(result);
        runs.push(dir);
        const s = result.summary;
        note(
          `run ${repeat}: ${s.rps} req/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, errors ${s.errors.total}, SLO ${result.slo.every((c) => c.held) ? 'held' : 'missed'}`,
        );
      },
    });
    failure = outcomes.find((o) => o.failure !== undefined)?.failure;
  } finally {
    progress.end();
    interrupt.dispose();
  }
  const doc = summariseRepeats(results, runs);
  await writeFileAtomically(join(outDir, 'repeats.json'), JSON.stringify(doc, null, 2) + '\n');
  await writeCiOutputs(args, {
    junit: () => renderJunit(results.map((r) => runSuite(r))),
    markdown: () => results.map((r, i) => `### Run ${i + 1}\n\n${runMarkdown(r)}`).join('\n'),
  });
  if (args.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(formatRepeats(doc));
  const last = `repeats: ${shownPath(outDir)}`;
  if (args.json) note(last);
  else process.stdout.write(last + '\n');
  if (failure !== undefined) {
    printError(failure);
    return failure.exitCode;
  }
  if (interrupt.signal.aborted || results.length < args.repeat) return ExitCode.interrupted;
  return doc.sloHeld === results.length ? ExitCode.ok : ExitCode.sloFailed;
}

/** Writes the output, prints the summary and the report's path, and returns the exit code. */
async function finishRun(
  outcome: LabOutcome,
  outDir: string,
  args: RunArgs,
  stoppedBySlo = false,
): Promise<number> {
  let { failure } = outcome;
  let result = analyseRun(outcome.result);
  const output = (r: ResultDocument): RunOutput => ({
    result: r,
    html: renderReportHtml(r),
    ...(outcome.latencyLog === undefined ? {} : { latencyLog: outcome.latencyLog }),
  });
  let paths: RunOutputPaths | undefined;
  let outputError: LoadlabError | undefined;
  try {
    paths = await writeRunOutput(outDir, output(result));
  } catch (error) {
    if (!isLoadlabError(error, 'OUTPUT_FAILED')) throw error;
    outputError = error;
    failure ??= error;
    result = {
      ...result,
      failure: result.failure ?? { code: error.code, message: error.message },
    };
  }
  if (args.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
  else process.stdout.write(formatSummary(result, { color: process.stdout.isTTY === true }) + '\n');
  if (outputError !== undefined) paths = await writeFallback(result, output, outputError);
  await writeCiOutputs(args, {
    junit: () => renderJunit([runSuite(result)]),
    markdown: () => runMarkdown(result),
  });
  if (failure) {
    printError(failure);
    if (paths !== undefined) note(`report: ${shownPath(paths.htmlPath)}`);
    return failure.exitCode;
  }
  const last = `report: ${shownPath((paths as RunOutputPaths).htmlPath)}`;
  if (args.json) note(last);
  else process.stdout.write(last + '\n');
  // Stopped by an abortOnFail SLO: an SLO failed (the result's abortReason says which).
  if (stoppedBySlo) return ExitCode.sloFailed;
  if (result.interrupted) return ExitCode.interrupted;
  return result.slo.every((c) => c.held) ? ExitCode.ok : ExitCode.sloFailed;
}

/** Saves the result in a fresh folder under the OS temp folder when `--out` failed, and says where. */
async function writeFallback(
  result: ResultDocument,
  output: (r: ResultDocument) => RunOutput,
  why: LoadlabError,
): Promise<RunOutputPaths | undefined> {
  try {
    const dir = await mkdtemp(join(tmpdir(), `loadlab-${result.scenario.name}-`));
    const paths = await writeRunOutput(dir, output(result));
    note(`loadlab: ${why.message}; the result was saved to ${dir} instead`);
    return paths;
  } catch (error) {
    note(
      `loadlab: ${why.message}; saving the result to the temp folder failed too: ${(error as Error).message}`,
    );
    return undefined;
  }
}

function shownPath(path: string): string {
  const shown = relative(process.cwd(), path) || path;
  return shown.startsWith('..') ? path : shown;
}

/** `--proxy` goes with `--target`, and a scenario with faults against a `--target` needs it. */
function checkProxyFlag(args: RunArgs, faults: number): void {
  const problems: string[] = [];
  if (args.proxy !== undefined && args.target === undefined) {
    problems.push('--proxy goes with --target; without it the lab runs its own fault proxy');
  }
  if (args.target !== undefined && args.proxy === undefined && faults > 0) {
    problems.push(
      `the scenario has ${faults} fault(s), but with --target there is no lab proxy to apply them through: pass --proxy URL (the admin API of your \`loadlab proxy\`) or drop the faults`,
    );
  }
  if (problems.length === 1) throw loadlabError('BAD_FLAG', problems[0] as string);
}
