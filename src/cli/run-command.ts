/** `loadlab run <scenario>`: boot, drive, measure, write result.json and index.html. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { analyseRun, judgeAbortSecond, startAbortWatch } from '../analysis/index.js';
import { runLab, type LabEvent, type LabOutcome } from '../lab/index.js';
import { requestTemplateProblems } from '../load/index.js';
import { formatSummary, renderJunit, renderReportHtml, runMarkdown, runSuite } from '../report/index.js';
import { checkOutputFolder, writeRunOutput } from '../results/index.js';
import type { ResultDocument, RunOutput, RunOutputPaths } from '../results/index.js';
import { loadScenario, planRun, type OverrideInput } from '../scenario/index.js';
import { ExitCode, isLoadlabError, loadlabError, parseDurationMs } from '../shared/index.js';
import type { LoadlabError } from '../shared/index.js';
import { ciOutputOptions, writeCiOutputs, type CiOutputArgs } from './ci-outputs.js';
import { collectEnvironment } from './environment.js';
import { onInterrupt } from './interrupt.js';
import { note, printError } from './output.js';
import { createProgress } from './progress.js';

interface RunArgs extends CiOutputArgs {
  scenario: string;
  target?: string;
  proxy?: string;
  out?: string;
  duration?: string;
  set: string[];
  seed?: number;
  workers?: number;
  quiet: boolean;
  json: boolean;
}

export function registerRun(yargs: Argv): Argv {
  return yargs.command<RunArgs>(
    'run <scenario>',
    'Run a scenario: boot the reference service (or use --target), drive load, write the report',
    (y) =>
      ciOutputOptions(y)
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
          describe: 'Drive load at this running service (http://127.0.0.1:PORT) instead of booting one',
        })
        .option('out', {
          type: 'string',
          describe:
            'Output folder (default reports/<name>-<YYYYMMDD-HHMMSS>); checked writable before the run. If it fails at the end, the result goes to a folder under the OS temp folder, named on stderr',
        })
        .option('duration', { type: 'string', describe: 'Cap the run at this long, e.g. 10s, 2m' })
        .option('set', {
          type: 'string',
          array: true,
          default: [],
          describe: 'Override a scenario field: --set service.db.pool.max=20 (repeatable)',
        })
        .option('seed', { type: 'number', describe: 'Seed for every random draw (overrides the scenario)' })
        .option('workers', { type: 'number', describe: 'Load worker threads (overrides load.workers)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print only the summary, as JSON, on stdout',
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

async function runCommand(args: RunArgs): Promise<number> {
  try {
    const sets: OverrideInput[] = [...args.set];
    if (args.seed !== undefined) sets.push({ set: `seed=${args.seed}`, flag: `--seed ${args.seed}` });
    if (args.workers !== undefined)
      sets.push({ set: `load.workers=${args.workers}`, flag: `--workers ${args.workers}` });
    const scenarioDir = dirname(resolve(args.scenario));
    const { scenario } = await loadScenario(args.scenario, {
      sets,
      extraChecks: (input) => requestTemplateProblems(input, { baseDir: scenarioDir }),
    });
    const maxDurationMs = args.duration === undefined ? undefined : parseDurationMs(args.duration);
    if (args.duration !== undefined && (maxDurationMs === undefined || maxDurationMs < 1000)) {
      throw loadlabError(
        'BAD_FLAG',
        `--duration: expected a duration of at least 1s such as "30s", got "${args.duration}"`,
      );
    }
    const target = args.target === undefined ? undefined : checkTarget(args.target);
    checkProxyFlag(args, scenario.faults.length);
    if (args.out !== undefined && args.out.trim() === '') {
      throw loadlabError('BAD_FLAG', '--out: expected a folder, got an empty string');
    }
    const plan = planRun(scenario, {
      scenarioDir,
      ...(target === undefined ? {} : { target }),
      ...(args.proxy === undefined ? {} : { proxyAdminUrl: args.proxy }),
      ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
    });
    const outDir = resolve(args.out ?? join('reports', `${scenario.name}-${timestamp(new Date())}`));
    // Before anything starts: a run whose output cannot be written is lost.
    await checkOutputFolder(outDir);

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
      });
    } finally {
      progress.end();
      interrupt.dispose();
    }
    return await finishRun(outcome, outDir, args, sloAbort.signal.aborted && !interrupt.signal.aborted);
  } catch (error) {
    return printError(error);
  }
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
  const judged = result;
  await writeCiOutputs(args, {
    junit: () => renderJunit([runSuite(judged)]),
    markdown: () => runMarkdown(judged),
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

/** Load goes to loopback only: a target elsewhere is refused. */
function checkTarget(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw loadlabError('BAD_FLAG', `--target: expected a URL such as http://127.0.0.1:3000, got "${text}"`);
  }
  if (url.protocol !== 'http:') {
    throw loadlabError('BAD_FLAG', `--target: expected an http:// URL, got "${text}"`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw loadlabError(
      'BAD_FLAG',
      `--target: load goes to loopback only (127.0.0.0/8, ::1, localhost), got "${host}"`,
    );
  }
  return url.origin;
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
