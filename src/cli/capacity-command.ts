/**
 * `loadlab capacity <scenario>`: the highest arrival rate at which every SLO still holds. Steps of
 * one constant rate each (open model), growing ×2 until the SLO breaks, then bisecting to the
 * precision asked; each step its own run folder, then capacity.json and capacity.html (the overlay
 * report: latency against throughput, each point linked to its step's report).
 */
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { CapacityDocument } from '../analysis/index.js';
import {
  defaultCapacityStep,
  defaultStartRate,
  runCapacitySearch,
  stepShapeProblems,
  type CapacityEvent,
  type CapacityStepShape,
} from '../experiments/index.js';
import {
  capacityMarkdown,
  capacityOverlayInput,
  capacitySuite,
  formatCapacity,
  renderJunit,
  renderOverlayReportHtml,
  renderReportHtml,
} from '../report/index.js';
import { checkOutputFolder, writeFileAtomically, writeRunOutput } from '../results/index.js';
import { sloEntries, type Scenario } from '../scenario/index.js';
import { ExitCode, formatRps, loadlabError, parseDurationMs } from '../shared/index.js';
import { ciOutputOptions, writeCiOutputs, type CiOutputArgs } from './ci-outputs.js';
import { collectEnvironment } from './environment.js';
import { onInterrupt } from './interrupt.js';
import { note, printError } from './output.js';
import { createProgress } from './progress.js';
import { checkOutFlag, checkTarget, defaultOutDir, planFromFlags, type ScenarioFlags } from './run-flags.js';

interface CapacityArgs extends CiOutputArgs, Omit<ScenarioFlags, 'duration'> {
  target?: string;
  proxy?: string;
  out?: string;
  startRate?: number;
  precision: string;
  step: string;
  warmup: string;
  maxRate: number;
  maxSteps: number;
  slo: string[];
  quiet: boolean;
  json: boolean;
}

/** The highest rate a step may have (the scenario schema's bound on a rate). */
const rateCeiling = 1_000_000;
const maxStepsCeiling = 100;

const epilog = `Each step runs the scenario's request mix, service and faults at one constant arrival rate (open model):
its phases are replaced by a warm-up (left out of the verdict) and a steady window, over which every SLO
is judged. The rate grows x2 from --start-rate until a step misses, then bisects to --precision.
A step whose generator was saturated, or dropped requests while the service kept up, ends the search:
the limit of this generator, not of the service.
Exit codes: 0 a capacity was found (or every step held up to --max-rate); 1 the SLO missed at every rate
tried; 2 invalid input (NO_SLO: the scenario states no SLO and --slo was not given); 3 a step could not be
carried out; 4 inconclusive (the generator's limit, or --max-steps ran out); 130 interrupted.
Docs: docs/capacity.md`;

export function registerCapacity(yargs: Argv): Argv {
  return yargs.command<CapacityArgs>(
    'capacity <scenario>',
    'Find the highest arrival rate at which every SLO holds: grow, then bisect, one steady step at a time',
    (y) =>
      ciOutputOptions(y)
        .strict()
        .positional('scenario', {
          type: 'string',
          demandOption: true,
          describe: 'Scenario file (YAML or JSON)',
        })
        .option('set', {
          type: 'string',
          array: true,
          default: [],
          describe: 'Override a scenario field: --set service.db.pool.max=20 (repeatable)',
        })
        .option('seed', { type: 'number', describe: 'Seed for every random draw (overrides the scenario)' })
        .option('workers', { type: 'number', describe: 'Load worker threads (overrides load.workers)' })
        .option('target', {
          type: 'string',
          describe: 'Drive load at this running service (http://127.0.0.1:PORT) instead of booting one',
        })
        .option('proxy', {
          type: 'string',
          describe: "With --target: your `loadlab proxy`'s admin URL, to apply the scenario's faults through",
        })
        .option('start-rate', {
          type: 'number',
          describe: "First rate tried, requests/s (default: the scenario's highest planned rate, or 100)",
        })
        .option('precision', {
          type: 'string',
          default: '5%',
          describe:
            'Stop bisecting when the highest rate held and the lowest missed are this close: 5%, or 0.05',
        })
        .option('step', {
          type: 'string',
          default: `${defaultCapacityStep.stepMs / 1000}s`,
          describe: 'Length of each step, warm-up included',
        })
        .option('warmup', {
          type: 'string',
          default: `${defaultCapacityStep.warmupMs / 1000}s`,
          describe: 'Warm-up at the start of each step, left out of the verdict',
        })
        .option('max-rate', {
          type: 'number',
          default: rateCeiling,
          describe: 'Highest rate tried, requests/s',
        })
        .option('max-steps', { type: 'number', default: 24, describe: 'Most steps the search may take' })
        .option('slo', {
          type: 'string',
          array: true,
          default: [],
          describe:
            'The SLO to hold, replacing the scenario\'s: --slo p99Ms=50 --slo errorRate=0.01 (or "p99Ms=50,errorRate=0.01")',
        })
        .option('out', {
          type: 'string',
          describe:
            'Output folder (default reports/<name>-capacity-<YYYYMMDD-HHMMSS>): step-N/ per step, capacity.json, capacity.html',
        })
        .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
        .option('json', { type: 'boolean', default: false, describe: 'Print capacity.json on stdout' })
        .epilog(epilog),
    async (args) => {
      process.exitCode = await capacityCommand(args);
    },
  );
}

/** The flags that shape the search, checked all at once. */
function searchFlags(args: CapacityArgs): { shape: CapacityStepShape; precision: number } {
  const problems: string[] = [];
  const precision = parsePrecision(args.precision);
  if (precision === undefined) {
    problems.push(
      `--precision: expected a share above 0 and at most 100%, such as 5% or 0.05, got "${args.precision}"`,
    );
  }
  const stepMs = parseDurationMs(args.step);
  const warmupMs = parseDurationMs(args.warmup);
  if (stepMs === undefined) problems.push(`--step: expected a duration such as "10s", got "${args.step}"`);
  if (warmupMs === undefined)
    problems.push(`--warmup: expected a duration such as "3s" or "0s", got "${args.warmup}"`);
  if (stepMs !== undefined && warmupMs !== undefined)
    problems.push(...stepShapeProblems({ stepMs, warmupMs }));
  if (args.startRate !== undefined && !(args.startRate > 0 && args.startRate <= rateCeiling)) {
    problems.push(
      `--start-rate: expected requests/s above 0 and at most ${rateCeiling}, got ${args.startRate}`,
    );
  }
  if (!(args.maxRate > 0 && args.maxRate <= rateCeiling)) {
    problems.push(`--max-rate: expected requests/s above 0 and at most ${rateCeiling}, got ${args.maxRate}`);
  }
  if (!Number.isInteger(args.maxSteps) || args.maxSteps < 1 || args.maxSteps > maxStepsCeiling) {
    problems.push(`--max-steps: expected a whole number from 1 to ${maxStepsCeiling}, got ${args.maxSteps}`);
  }
  for (const text of args.slo) {
    for (const part of text.split(',')) {
      if (!/^\s*[A-Za-z][A-Za-z0-9]*\s*=\s*\S/.test(part)) {
        problems.push(
          `--slo "${text}": expected key=value such as p99Ms=50 or errorRate=0.01, got "${part}"`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw loadlabError(
      'BAD_FLAG',
      problems.length === 1 ? (problems[0] as string) : `${problems.length} flags are wrong`,
      {
        ...(problems.length === 1 ? {} : { problems }),
      },
    );
  }
  return {
    shape: { stepMs: stepMs as number, warmupMs: warmupMs as number },
    precision: precision as number,
  };
}

/** "5%" → 0.05, "0.05" → 0.05; undefined unless above 0 and at most 1. */
function parsePrecision(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]) / (match[2] === '%' ? 100 : 1);
  return value > 0 && value <= 1 ? value : undefined;
}

/** `--slo` as overrides of the scenario's `slo:` (checked by the scenario's own schema, named by the flag). */
function sloOverrides(slo: readonly string[]): { set: string; flag: string }[] {
  if (slo.length === 0) return [];
  return [
    { set: 'slo={}', flag: `--slo ${slo.join(' --slo ')}` },
    ...slo.flatMap((text) =>
      text.split(',').map((part) => {
        const [key, ...value] = part.split('=');
        return { set: `slo.${(key ?? '').trim()}=${value.join('=').trim()}`, flag: `--slo ${text}` };
      }),
    ),
  ];
}

async function capacityCommand(args: CapacityArgs): Promise<number> {
  try {
    const { shape, precision } = searchFlags(args);
    const target = args.target === undefined ? undefined : checkTarget(args.target);
    if (args.proxy !== undefined && target === undefined) {
      throw loadlabError(
        'BAD_FLAG',
        '--proxy goes with --target; without it the lab runs its own fault proxy',
      );
    }
    checkOutFlag(args.out);
    const { scenario } = await planFromFlags(args, {
      extra: sloOverrides(args.slo),
      ...(target === undefined ? {} : { target }),
      ...(args.proxy === undefined ? {} : { proxy: args.proxy }),
    });
    if (sloEntries(scenario.slo).length === 0) {
      throw loadlabError(
        'NO_SLO',
        `${args.scenario} states no SLO: a capacity is the highest rate at which the SLO holds`,
      );
    }
    const startRate = args.startRate ?? defaultStartRate(scenario);
    if (startRate > args.maxRate) {
      throw loadlabError(
        'BAD_FLAG',
        `--max-rate: expected at least the start rate (${startRate}/s), got ${args.maxRate}`,
      );
    }
    const outDir = resolve(args.out ?? defaultOutDir(`${scenario.name}-capacity`));
    const madeByCheck = !existsSync(outDir);
    await checkOutputFolder(outDir);
    try {
      return await search(args, scenario, { shape, precision, startRate, target }, outDir);
    } catch (error) {
      if (madeByCheck) await rmdir(outDir).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    return printError(error);
  }
}

async function search(
  args: CapacityArgs,
  scenario: Scenario,
  how: { shape: CapacityStepShape; precision: number; startRate: number; target: string | undefined },
  outDir: string,
): Promise<number> {
  const interrupt = onInterrupt(note, 'stopping the capacity search and writing what was measured');
  const progress = createProgress({
    quiet: args.quiet,
    tty: process.stderr.isTTY === true,
    write: (t) => process.stderr.write(t),
  });
  const histograms = new Map<number, string>();
  let run;
  try {
    run = await runCapacitySearch({
      scenario,
      target: {
        scenarioDir: dirname(resolve(args.scenario)),
        ...(how.target === undefined ? {} : { target: how.target }),
        ...(args.proxy === undefined ? {} : { proxyAdminUrl: args.proxy }),
      },
      shape: how.shape,
      search: {
        startRate: how.startRate,
        precision: how.precision,
        maxRate: args.maxRate,
        maxSteps: args.maxSteps,
      },
      handles: {
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment: collectEnvironment(),
        signal: interrupt.signal,
      },
      onEvent: (event) => onEvent(event, args, how.shape, progress),
      onStep: async (step, result, outcome) => {
        progress.end();
        const dir = `step-${step}`;
        await writeRunOutput(join(outDir, dir), {
          result,
          html: renderReportHtml(result),
          ...(outcome.latencyLog === undefined ? {} : { latencyLog: outcome.latencyLog }),
        });
        histograms.set(step, result.histogram);
        return dir;
      },
    });
  } finally {
    progress.end();
    interrupt.dispose();
  }
  const doc = run.document;
  await writeFileAtomically(join(outDir, 'capacity.json'), JSON.stringify(doc, null, 2) + '\n');
  const highest = highestHeldStep(doc);
  const overlay = capacityOverlayInput(doc, {
    ...(highest === undefined || !histograms.has(highest)
      ? {}
      : { histogramOfHighestHeld: histograms.get(highest) as string }),
  });
  await writeFileAtomically(join(outDir, 'capacity.html'), renderOverlayReportHtml(overlay));
  if (args.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(formatCapacity(doc));
  await writeCiOutputs(args, {
    junit: () => renderJunit([capacitySuite(doc)]),
    markdown: () => capacityMarkdown(doc),
  });
  const last = `capacity: ${shown(join(outDir, 'capacity.html'))}`;
  if (args.json) note(last);
  else process.stdout.write(last + '\n');
  if (run.failure !== undefined) {
    printError(run.failure);
    return run.failure.exitCode;
  }
  return exitCodeOf(doc);
}

/** The exit code a search's verdict stands for (docs/capacity.md). */
function exitCodeOf(doc: CapacityDocument): number {
  switch (doc.verdict) {
    case 'capacity':
    case 'held-to-max':
      return ExitCode.ok;
    case 'never-held':
      return ExitCode.sloFailed;
    case 'generator-limit':
    case 'step-budget':
      return ExitCode.inconclusive;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'failed':
      return ExitCode.runFailed;
  }
}

function highestHeldStep(doc: CapacityDocument): number | undefined {
  const held = doc.steps.filter((p) => p.held);
  if (held.length === 0) return undefined;
  return held.reduce((a, b) => (b.rate > a.rate ? b : a)).step;
}

function onEvent(
  event: CapacityEvent,
  args: CapacityArgs,
  shape: CapacityStepShape,
  progress: ReturnType<typeof createProgress>,
): void {
  if (args.quiet) return;
  if (event.type === 'step') {
    progress.end();
    const where =
      event.lowestMissed !== undefined && event.highestHeld !== undefined
        ? `bisecting: held at ${formatRps(event.highestHeld)}/s, missed at ${formatRps(event.lowestMissed)}/s`
        : event.lowestMissed !== undefined
          ? `shrinking: missed at ${formatRps(event.lowestMissed)}/s`
          : event.highestHeld !== undefined
            ? `growing: held at ${formatRps(event.highestHeld)}/s`
            : 'first step';
    note(
      `step ${event.step} (at most ${args.maxSteps}): ${formatRps(event.rate)}/s for ${shape.stepMs / 1000} s (${shape.warmupMs / 1000} s warm-up); ${where}`,
    );
  } else if (event.type === 'lab') {
    if (event.event.type === 'progress' || event.event.type === 'status') progress.onEvent(event.event);
  } else {
    progress.end();
    const p = event.point;
    const verdict =
      p.generatorLimit !== undefined
        ? `generator limit: ${p.generatorLimit}`
        : p.held
          ? 'held'
          : `missed (${p.missed.join('; ')})`;
    note(
      `step ${p.step}: ${formatRps(p.rate)}/s → ${formatRps(p.achievedRps)} req/s achieved, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, ${p.errors} errors: ${verdict}`,
    );
  }
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path) || path;
  return rel.startsWith('..') ? path : rel;
}
