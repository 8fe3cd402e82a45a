/**
 * `loadlab sweep <scenario>`: every variant of the scenario's `matrix:` (and `--matrix` flags),
 * each `--repeat N` times in a seeded interleaved order, each run into its own folder; then
 * sweep.json (the variants, the winner under the SLO or the tie, the Pareto front), the overlay
 * report's input and the table. `--resume DIR` carries on an interrupted sweep.
 */
import { join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { analyseRun, sweepDocument, type RankBy } from '../analysis/index.js';
import { runSweep, trialKey, type PlannedVariant, type SweepTrial } from '../experiments/index.js';
import {
  formatSweep,
  renderJunit,
  renderOverlayReportHtml,
  renderReportHtml,
  sweepMarkdown,
  sweepOverlayInput,
  sweepSuite,
} from '../report/index.js';
import { writeFileAtomically, writeRunOutput } from '../results/index.js';
import type { LabPlan, Scenario } from '../scenario/index.js';
import { ExitCode, loadlabError, formatDurationMs } from '../shared/index.js';
import { checkFlags, exitCodeOf, type SweepArgs } from './sweep-flags.js';
import { capacitySearchOptions } from './capacity-flags.js';
import { ciOutputOptions, writeCiOutputs } from './ci-outputs.js';
import { commandEntry } from './command-table.js';
import { collectEnvironment } from './environment.js';
import { onInterrupt } from './interrupt.js';
import { note, printError } from './output.js';
import { createProgress } from './progress.js';
import { checkTarget, defaultOutDir, planFromFlags, scenarioFlagOptions } from './run-flags.js';
import {
  planRecord,
  readSweepFolder,
  startFolder,
  writeFailure,
  type SweepPlanRecord,
} from './sweep-folder.js';
import { sweepCapacity } from './sweep-capacity.js';
import { axesOf, planVariants } from './sweep-matrix.js';

const epilog = `The matrix is the scenario's matrix: (path: [values]; matrixMode: zip pairs the i-th values) with
--matrix path=v1,v2,... flags laid over it. Every variant is checked before anything starts.
Variants whose every SLO held in every repeat are candidates; the best by --rank-by wins only when it is
better than every other candidate with confidence (as loadlab compare judges); otherwise they tie.
With --capacity: a capacity search per variant (see loadlab capacity --help), ranked by capacity; variants
whose capacity brackets overlap tie. Writes sweep-capacity.json and sweep.html.
Exit codes: 0 a winner was found; 1 no variant held its SLOs; 2 invalid input; 3 every variant failed
(or the output could not be written); 4 inconclusive: the best candidates tie; 130 interrupted (resume
with --resume DIR). Docs: docs/sweep.md`;

export function registerSweep(yargs: Argv): Argv {
  return yargs.command<SweepArgs>(
    commandEntry('sweep').usage,
    commandEntry('sweep').summary,
    (y) =>
      capacitySearchOptions(scenarioFlagOptions(ciOutputOptions(y)))
        .strict()
        .positional('scenario', {
          type: 'string',
          demandOption: true,
          describe: 'Scenario file (YAML or JSON)',
        })
        .option('matrix', {
          type: 'string',
          array: true,
          default: [],
          describe:
            'A matrix axis: --matrix service.db.pool.max=2,4,8 (repeatable; replaces the file’s axis of that path)',
        })
        .option('capacity', {
          type: 'boolean',
          default: false,
          describe:
            "Find each variant's capacity (the highest rate that holds the SLO; the search flags below) and rank the variants by it",
        })
        .option('repeat', { type: 'number', default: 3, describe: 'Runs of each variant' })
        .option('yes', {
          type: 'boolean',
          default: false,
          describe: 'Run more than 64 variants',
        })
        .option('resume', {
          type: 'string',
          describe:
            'Carry on the interrupted sweep in this folder (same scenario and flags): runs already complete are skipped',
        })
        .option('rank-by', {
          type: 'string',
          default: 'p99',
          describe: 'The figure the winner is chosen by: p99 (lowest), rps or goodput (highest)',
        })
        .option('confidence', {
          type: 'number',
          default: 0.9,
          describe:
            'Confidence of the comparisons between the best candidates (3 repeats decide at 0.9 at most)',
        })
        .option('target', {
          type: 'string',
          describe:
            'Drive load at this running service (http://127.0.0.1:PORT) instead of booting one per variant',
        })
        .option('out', {
          type: 'string',
          describe: 'Output folder (default reports/<name>-sweep-<YYYYMMDD-HHMMSS>)',
        })
        .option('quiet', { type: 'boolean', default: false, describe: 'No per-run progress lines' })
        .option('json', { type: 'boolean', default: false, describe: 'Print sweep.json on stdout' })
        .epilog(epilog),
    async (args) => {
      process.exitCode = await sweepCommand(args);
    },
  );
}

async function sweepCommand(args: SweepArgs): Promise<number> {
  try {
    const rankBy = checkFlags(args);
    if (args.capacity) return await sweepCapacity(args);
    const target = args.target === undefined ? undefined : checkTarget(args.target);
    const planOptions = { ...(target === undefined ? {} : { target }) };
    const { scenario } = await planFromFlags(args, {
      ...planOptions,
      check: (s) => {
        if (target !== undefined && s.faults.length > 0) {
          throw loadlabError(
            'BAD_FLAG',
            `the scenario has ${s.faults.length} fault(s), but with --target a sweep has no fault proxy to apply them through: drop the faults, or sweep the reference service`,
          );
        }
      },
    });
    const variants = await planVariants(scenario, args.matrix, args.yes, (extra) =>
      planFromFlags(args, { ...planOptions, extra }).then((p) => p.plan),
    );
    const seed = args.seed ?? scenario.seed;
    const outDir = resolve(args.resume ?? args.out ?? defaultOutDir(`${scenario.name}-sweep`));
    const record = planRecord(scenario.name, variants, args.repeat, seed, new Date().toISOString());
    const started = await startFolder(outDir, record, args.resume !== undefined);
    return await sweepAndReport(args, { scenario, variants, rankBy, outDir, record: started });
  } catch (error) {
    return printError(error);
  }
}

interface SweepSetup {
  scenario: Scenario;
  variants: PlannedVariant<LabPlan>[];
  rankBy: RankBy;
  outDir: string;
  record: SweepPlanRecord;
}

async function sweepAndReport(args: SweepArgs, setup: SweepSetup): Promise<number> {
  const { variants, outDir, record } = setup;
  const before = await readSweepFolder(outDir, record);
  const done = new Set<string>();
  const failed = new Set<number>();
  for (const v of before.variants) {
    for (const run of v.runs)
      done.add(trialKey({ variant: v.index, repeat: Number(run.slice(run.lastIndexOf('run-') + 4)) }));
    if (v.failure !== undefined) failed.add(v.index);
  }
  if (args.resume !== undefined) {
    note(
      `resuming ${shown(outDir)}: ${done.size} run(s) already complete, ${failed.size} variant(s) failed before`,
    );
  }
  const interrupt = onInterrupt(
    note,
    'stopping the run in progress; the sweep can be carried on with --resume',
  );
  const progress = createProgress({
    quiet: args.quiet,
    tty: process.stderr.isTTY === true,
    write: (t) => process.stderr.write(t),
  });
  const byIndex = new Map(variants.map((v) => [v.index, v]));
  const runDir = (t: SweepTrial) =>
    join(outDir, (byIndex.get(t.variant) as PlannedVariant<LabPlan>).dir, `run-${t.repeat}`);
  let outcome;
  try {
    outcome = await runSweep({
      variants,
      repeats: args.repeat,
      random: createRandom(deriveSeed(record.seed, 'sweep-order')),
      done,
      failed,
      handles: {
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment: collectEnvironment(),
        signal: interrupt.signal,
      },
      onEvent: (event) => {
        if (event.type === 'lab') {
          if (event.event.type !== 'load-started') progress.onEvent(event.event);
          return;
        }
        progress.end();
        const v = byIndex.get(event.trial.variant) as PlannedVariant<LabPlan>;
        note(
          `· run ${event.position} of ${event.total}: variant ${v.index} of ${event.variants} (${v.name}), repeat ${event.trial.repeat} of ${event.repeats}, ~${formatDurationMs(roundLeft(event.leftMs))} left`,
        );
      },
      onRun: async (trial, run) => {
        progress.end();
        const result = analyseRun(run.result);
        await writeRunOutput(runDir(trial), {
          result,
          html: renderReportHtml(result),
          ...(run.latencyLog === undefined ? {} : { latencyLog: run.latencyLog }),
        });
        const s = result.summary;
        if (!result.interrupted) {
          note(
            `  ${s.rps} req/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, errors ${s.errors.total}, SLO ${result.slo.every((c) => c.held) ? 'held' : 'missed'}`,
          );
        }
      },
      onFailure: async (trial, failure) => {
        progress.end();
        const v = byIndex.get(trial.variant) as PlannedVariant<LabPlan>;
        await writeFailure(join(outDir, v.dir), {
          code: failure.code,
          message: failure.message,
          repeat: trial.repeat,
        });
        note(
          `  variant ${v.index} (${v.name}) failed [${failure.code}]: ${failure.message}; the sweep goes on without it`,
        );
      },
    });
  } finally {
    progress.end();
    interrupt.dispose();
  }
  const after = await readSweepFolder(outDir, record);
  const doc = sweepDocument({
    scenario: record.scenario,
    startedAt: record.startedAt,
    repeats: record.repeats,
    seed: record.seed,
    matrix: {
      mode: setup.scenario.matrixMode ?? 'product',
      axes: axesOf(variants),
    },
    rankBy: setup.rankBy,
    confidence: args.confidence,
    interrupted: outcome.interrupted,
    variants: after.variants,
  });
  await writeFileAtomically(join(outDir, 'sweep.json'), JSON.stringify(doc, null, 2) + '\n');
  const overlay = sweepOverlayInput(doc, after.results);
  await writeFileAtomically(join(outDir, 'overlay.json'), JSON.stringify(overlay, null, 2) + '\n');
  await writeFileAtomically(join(outDir, 'sweep.html'), renderOverlayReportHtml(overlay));
  if (args.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(formatSweep(doc));
  await writeCiOutputs(args, {
    junit: () => renderJunit([sweepSuite(doc, { timestamp: record.startedAt })]),
    markdown: () => sweepMarkdown(doc),
  });
  const last = `sweep: ${shown(join(outDir, 'sweep.html'))} (sweep.json beside it)`;
  if (args.json) note(last);
  else process.stdout.write(last + '\n');
  if (outcome.interrupted) {
    note(
      `interrupted: carry on with loadlab sweep ${args.scenario} --resume ${shown(outDir)} (and the same flags)`,
    );
    return ExitCode.interrupted;
  }
  return exitCodeOf(doc);
}

function roundLeft(ms: number): number {
  return Math.max(1000, Math.round(ms / 1000) * 1000);
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path) || path;
  return rel.startsWith('..') ? path : rel;
}
