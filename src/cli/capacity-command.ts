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
  defaultStartRate,
  runCapacitySearch,
  type CapacityEvent,
  type CapacityRunResult,
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
import { ExitCode, formatMs, formatRps, loadlabError } from '../shared/index.js';
import { writeCiOutputs } from './ci-outputs.js';
import { commandEntry } from './command-table.js';
import { collectEnvironment } from './environment.js';
import { onInterrupt } from './interrupt.js';
import { note, printError } from './output.js';
import { createProgress } from './progress.js';
import { capacityFlagOptions, searchFlags, sloOverrides, type CapacityArgs } from './capacity-flags.js';
import { checkOutFlag, checkTarget, defaultOutDir, planFromFlags } from './run-flags.js';

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
    commandEntry('capacity').usage,
    commandEntry('capacity').summary,
    (y) => capacityFlagOptions(y).epilog(epilog),
    async (args) => {
      process.exitCode = await capacityCommand(args);
    },
  );
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
  how: SearchHow,
  outDir: string,
): Promise<number> {
  const interrupt = onInterrupt(note, 'stopping the capacity search and writing what was measured');
  let run;
  try {
    run = await searchInto(outDir, scenario, how, { args, signal: interrupt.signal });
  } finally {
    interrupt.dispose();
  }
  const doc = run.document;
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

/** How a search is shaped, from the flags. */
export interface SearchHow {
  shape: CapacityStepShape;
  precision: number;
  startRate: number;
  target: string | undefined;
}

/**
 * Runs one capacity search into `outDir`: a folder per step (step-N/), then capacity.json and
 * capacity.html. `sweep --capacity` calls it once per variant.
 */
export async function searchInto(
  outDir: string,
  scenario: Scenario,
  how: SearchHow,
  context: {
    args: Pick<CapacityArgs, 'scenario' | 'proxy' | 'maxRate' | 'maxSteps' | 'quiet'>;
    signal: AbortSignal;
    /** The variant's name and knob values in the overlay report (default: the scenario's). */
    name?: string;
    settings?: Record<string, unknown>;
  },
): Promise<CapacityRunResult> {
  const { args } = context;
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
        signal: context.signal,
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
  }
  const doc = run.document;
  await writeFileAtomically(join(outDir, 'capacity.json'), JSON.stringify(doc, null, 2) + '\n');
  const highest = highestHeldStep(doc);
  const overlay = capacityOverlayInput(doc, {
    ...(highest === undefined || !histograms.has(highest)
      ? {}
      : { histogramOfHighestHeld: histograms.get(highest) as string }),
    ...(context.name === undefined ? {} : { name: context.name }),
    ...(context.settings === undefined ? {} : { settings: context.settings }),
  });
  await writeFileAtomically(join(outDir, 'capacity.html'), renderOverlayReportHtml(overlay));
  return run;
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
  args: Pick<CapacityArgs, 'quiet' | 'maxSteps'>,
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
      p.rerun === true
        ? `missed (${p.missed.join('; ')}) on a busy host: running ${formatRps(p.rate)}/s again`
        : p.generatorLimit !== undefined
          ? `generator limit: ${p.generatorLimit}`
          : p.held
            ? 'held'
            : `missed (${p.missed.join('; ')})`;
    note(
      `step ${p.step}: ${formatRps(p.rate)}/s → ${formatRps(p.achievedRps)} req/s achieved, p50 ${formatMs(p.p50Ms)} ms, p99 ${formatMs(p.p99Ms)} ms, ${p.errors} errors: ${verdict}`,
    );
  }
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path) || path;
  return rel.startsWith('..') ? path : rel;
}
