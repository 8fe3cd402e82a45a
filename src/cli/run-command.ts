/** `loadlab run <scenario>`: boot, drive, measure, write result.json and index.html. */
import { dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { analyseRun } from '../analysis/index.js';
import { runLab } from '../lab/index.js';
import { requestTemplateProblems } from '../load/index.js';
import { formatSummary, renderJunit, renderReportHtml, runMarkdown, runSuite } from '../report/index.js';
import { writeRunOutput } from '../results/index.js';
import { buildPlan, loadScenario } from '../scenario/index.js';
import { ExitCode, loadlabError, parseDurationMs } from '../shared/index.js';
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
          describe: 'Output folder (default reports/<name>-<YYYYMMDD-HHMMSS>)',
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
        }),
    async (args) => {
      process.exitCode = await runCommand(args);
    },
  );
}

async function runCommand(args: RunArgs): Promise<number> {
  try {
    const sets = [...args.set];
    if (args.seed !== undefined) sets.push(`seed=${args.seed}`);
    if (args.workers !== undefined) sets.push(`load.workers=${args.workers}`);
    const { scenario } = await loadScenario(args.scenario, {
      sets,
      extraChecks: (input) => requestTemplateProblems(input, { baseDir: dirname(resolve(args.scenario)) }),
    });
    const maxDurationMs = args.duration === undefined ? undefined : parseDurationMs(args.duration);
    if (args.duration !== undefined && (maxDurationMs === undefined || maxDurationMs < 1000)) {
      throw loadlabError(
        'BAD_FLAG',
        `--duration: expected a duration of at least 1s such as "30s", got "${args.duration}"`,
      );
    }
    const target = args.target === undefined ? undefined : checkTarget(args.target);
    const plan = buildPlan(scenario, maxDurationMs === undefined ? {} : { maxDurationMs });
    const outDir = resolve(args.out ?? join('reports', `${scenario.name}-${timestamp(new Date())}`));

    const interrupt = onInterrupt(note);
    const progress = createProgress({
      quiet: args.quiet,
      tty: process.stderr.isTTY === true,
      write: (t) => process.stderr.write(t),
    });
    let outcome;
    try {
      outcome = await runLab({
        scenario,
        plan,
        scenarioDir: dirname(resolve(args.scenario)),
        ...(target === undefined ? {} : { targetUrl: target }),
        ...(args.proxy === undefined ? {} : { proxyAdminUrl: args.proxy }),
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment: collectEnvironment(),
        signal: interrupt.signal,
        onEvent: progress.onEvent,
      });
    } finally {
      progress.end();
      interrupt.dispose();
    }
    const { failure } = outcome;
    const result = analyseRun(outcome.result);
    const paths = await writeRunOutput(outDir, {
      result,
      html: renderReportHtml(result),
      ...(outcome.latencyLog === undefined ? {} : { latencyLog: outcome.latencyLog }),
    });
    await writeCiOutputs(args, {
      junit: () => renderJunit([runSuite(result)]),
      markdown: () => runMarkdown(result),
    });
    if (args.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
    else process.stdout.write(formatSummary(result, { color: process.stdout.isTTY === true }) + '\n');
    const shown = relative(process.cwd(), paths.htmlPath) || paths.htmlPath;
    const last = `report: ${shown.startsWith('..') ? paths.htmlPath : shown}`;
    if (failure) {
      printError(failure);
      note(last);
      return failure.exitCode;
    }
    if (args.json) note(last);
    else process.stdout.write(last + '\n');
    if (result.interrupted) return ExitCode.interrupted;
    return result.slo.every((c) => c.held) ? ExitCode.ok : ExitCode.sloFailed;
  } catch (error) {
    return printError(error);
  }
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
