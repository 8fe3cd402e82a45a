/**
 * `loadlab ab <scenario> --a ... --b ...`: two variants of one scenario, run as a duet (both at
 * once, one time zero, one seed) or interleaved (A B, B A, … in a seeded order), then compared
 * metric by metric: paired per repeat for a duet, unpaired for interleaved runs.
 */
import { join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { analyseRun, compareRunSets } from '../analysis/index.js';
import { duetStartOrder, runAb, type AbMode, type AbSide } from '../experiments/index.js';
import {
  comparisonMarkdown,
  comparisonSuite,
  formatComparison,
  renderComparisonHtml,
  renderJunit,
  renderReportHtml,
} from '../report/index.js';
import {
  checkOutputFolder,
  outputFileNames,
  writeFileAtomically,
  writeRunOutput,
  type ResultDocument,
} from '../results/index.js';
import type { LabPlan, TargetTransport } from '../scenario/index.js';
import { ExitCode, loadlabError, type Threshold } from '../shared/index.js';
import { ciOutputOptions, writeCiOutputs, type CiOutputArgs } from './ci-outputs.js';
import { comparisonExitCode, parseThresholds } from './compare-command.js';
import { collectEnvironment } from './environment.js';
import { onInterrupt } from './interrupt.js';
import { note, printError } from './output.js';
import { createProgress } from './progress.js';
import {
  checkOutFlag,
  checkTarget,
  defaultOutDir,
  planFromFlags,
  scenarioFlagOptions,
  type ScenarioFlags,
} from './run-flags.js';
import { commandEntry } from './command-table.js';
import { comparedSide } from './compared-side.js';
import { insecureWarning, targetFlagOptions, targetTransports, type TargetFlags } from './target-flags.js';

interface AbArgs extends CiOutputArgs, ScenarioFlags, TargetFlags {
  a: string[];
  b: string[];
  aTarget?: string;
  bTarget?: string;
  mode: string;
  repeat: number;
  failOn: string[];
  out?: string;
  quiet: boolean;
  json: boolean;
  phase: string[];
}

const epilog = `A variant is --a/--b overrides of the scenario (e.g. --a service.db.pool.max=5 --b service.db.pool.max=20),
or a running service (--a-target URL --b-target URL), or both. --header, --ca, --cert/--key and --insecure
apply to every --a-target/--b-target as to run's --target (TLS settings to the https:// ones; docs/targets.md).
duet (default): both variants run at the same time on this machine, each with its own processes and the
same arrival schedule, so host noise hits both alike; the two start in turn (A first, then B first).
Compared pairwise per repeat: latency percentiles with a bootstrap over the pairs and their requests
(verdicts need 5 repeats, thresholds 4); throughput, errors and service figures with exact rank
intervals (verdicts need 6 repeats, the default; thresholds 5).
interleaved: one after the other in a seeded random order; compared unpaired (latency: verdicts need 5
repeats each, thresholds 4; other figures 4 and 3).
--phase steady compares only that phase's seconds: give the scenario a warm-up phase and leave it out.
Exit codes: 0 compared (every --fail-on threshold passed); 1 a threshold failed with confidence;
2 invalid input; 3 a run could not be carried out; 4 a threshold was inconclusive; 130 interrupted.
Docs: docs/compare.md`;

/** Most repeats one A/B may ask for. */
const maxRepeats = 50;

export function registerAb(yargs: Argv): Argv {
  return yargs.command<AbArgs>(
    commandEntry('ab').usage,
    commandEntry('ab').summary,
    (y) =>
      targetFlagOptions(scenarioFlagOptions(ciOutputOptions(y)), '--a-target/--b-target')
        .strict()
        .positional('scenario', {
          type: 'string',
          demandOption: true,
          describe: 'Scenario file (YAML or JSON)',
        })
        .option('a', {
          type: 'string',
          array: true,
          default: [],
          describe: 'Variant A: a scenario override path=value (repeatable)',
        })
        .option('b', {
          type: 'string',
          array: true,
          default: [],
          describe: 'Variant B: a scenario override path=value (repeatable)',
        })
        .option('a-target', {
          type: 'string',
          describe: 'Variant A is this running service: any http:// or https:// URL (docs/targets.md)',
        })
        .option('b-target', { type: 'string', describe: 'Variant B is this running service' })
        .option('mode', {
          type: 'string',
          default: 'duet',
          describe: 'duet: both at once; interleaved: one after the other in a seeded order',
        })
        .option('repeat', { type: 'number', default: 6, describe: 'Repeats of each variant (duet: pairs)' })
        .option('fail-on', {
          type: 'string',
          array: true,
          default: [],
          describe:
            'Fail (exit 1) when B is worse than this with confidence, e.g. "p99:+10%", "rps:-5%", "errorRate:+0.5pp" (repeatable; replaces the scenario\'s gate:)',
        })
        .option('out', {
          type: 'string',
          describe:
            'Output folder (default reports/<name>-ab-<YYYYMMDD-HHMMSS>): a/run-N/, b/run-N/, comparison.json',
        })
        .option('phase', {
          type: 'string',
          array: true,
          default: [],
          describe:
            'Compare only the seconds of this phase, e.g. --phase steady to leave a warm-up out (repeatable)',
        })
        .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print the comparison as JSON on stdout',
        })
        .epilog(epilog),
    async (args) => {
      process.exitCode = await abCommand(args);
    },
  );
}

async function abCommand(args: AbArgs): Promise<number> {
  try {
    const mode = checkMode(args.mode);
    if (!Number.isInteger(args.repeat) || args.repeat < 1 || args.repeat > maxRepeats) {
      throw loadlabError(
        'BAD_FLAG',
        `--repeat: expected a whole number from 1 to ${maxRepeats}, got ${args.repeat}`,
      );
    }
    checkOutFlag(args.out);
    const flagThresholds = parseThresholds(args.failOn, (i) => `--fail-on "${args.failOn[i]}"`);
    const targets = checkTargets(args);
    const planned = await Promise.allSettled(
      (['a', 'b'] as const).map((side) => planSide(args, side, targets[side])),
    );
    const failed = planned.filter((p): p is PromiseRejectedResult => p.status === 'rejected');
    if (failed.length > 0) throw failed[0]?.reason;
    const [a, b] = planned.map((p) => (p as PromiseFulfilledResult<LabPlan>).value) as [LabPlan, LabPlan];
    const phaseNames = b.load.phases.map((p) => p.name);
    const unknown = args.phase.filter((name) => !phaseNames.includes(name));
    if (unknown.length > 0) {
      throw loadlabError(
        'BAD_FLAG',
        `--phase: the scenario has no phase named ${unknown.map((n) => `"${n}"`).join(', ')}; its phases are ${phaseNames.map((n) => `"${n}"`).join(', ')}`,
      );
    }
    if (args.insecure) note(insecureWarning);
    if (
      args.a.length === 0 &&
      args.b.length === 0 &&
      args.aTarget === undefined &&
      args.bTarget === undefined
    ) {
      note(
        'loadlab: A and B are the same variant (no --a, --b, --a-target or --b-target): an A/A comparison',
      );
    }
    const thresholds: Threshold[] =
      args.failOn.length > 0
        ? flagThresholds
        : parseThresholds(b.scenario.gate ?? [], (i) => `scenario.gate[${i}]`);
    const outDir = resolve(args.out ?? defaultOutDir(`${b.scenario.name}-ab`));
    await checkOutputFolder(outDir);
    return await runAndCompare(args, mode, { a, b }, thresholds, outDir);
  } catch (error) {
    return printError(error);
  }
}

function checkMode(mode: string): AbMode {
  if (mode === 'duet' || mode === 'interleaved') return mode;
  throw loadlabError('BAD_FLAG', `--mode: expected duet or interleaved, got "${mode}"`);
}

/** A variant's target: its checked URL and how to reach it (the target flags). */
interface SideTarget {
  target: string;
  transport: TargetTransport;
}

/** Each side's target, if it has one, with the target flags applied to it; every flag problem at once. */
function checkTargets(args: AbArgs): Partial<Record<AbSide, SideTarget>> {
  const given = (['a', 'b'] as const).flatMap((side) => {
    const text = side === 'a' ? args.aTarget : args.bTarget;
    return text === undefined ? [] : [{ side, target: checkTarget(text, `--${side}-target`) }];
  });
  const transports = targetTransports(
    args,
    given.map((g) => g.target),
    '--a-target or --b-target',
  );
  return Object.fromEntries(
    given.map((g, i) => [g.side, { target: g.target, transport: transports[i] as TargetTransport }]),
  );
}

/** One variant's plan: the scenario with the shared flags and its own overrides, against its own target if given. */
async function planSide(args: AbArgs, side: AbSide, target: SideTarget | undefined): Promise<LabPlan> {
  const flag = `--${side}`;
  const extra = (side === 'a' ? args.a : args.b).map((set) => ({ set, flag: `${flag} ${set}` }));
  const { plan } = await planFromFlags(args, { extra, ...(target === undefined ? {} : target) });
  return plan;
}

async function runAndCompare(
  args: AbArgs,
  mode: AbMode,
  plans: Record<AbSide, LabPlan>,
  thresholds: Threshold[],
  outDir: string,
): Promise<number> {
  const interrupt = onInterrupt(note, 'stopping the A/B and writing what was measured');
  const progress = createProgress({
    quiet: args.quiet,
    tty: process.stderr.isTTY === true,
    write: (t) => process.stderr.write(t),
  });
  const results: Record<AbSide, ResultDocument[]> = { a: [], b: [] };
  const sources: Record<AbSide, string[]> = { a: [], b: [] };
  const latencyLogs: Record<AbSide, (string | undefined)[]> = { a: [], b: [] };
  let outcome;
  try {
    outcome = await runAb({
      plans,
      mode,
      repeats: args.repeat,
      random: createRandom(deriveSeed(plans.b.seed, 'ab-order')),
      handles: {
        runtime: { execPath: process.execPath, env: { ...process.env } },
        environment: collectEnvironment(),
        signal: interrupt.signal,
      },
      onEvent: (event) => {
        if (event.type === 'trial') {
          progress.end();
          const who = [...event.sides]
            .sort()
            .map((s) => s.toUpperCase())
            .join(' and ');
          note(
            `trial ${event.index} of ${event.total}: ${who}${event.sides.length > 1 ? ' at once' : ''} (repeat ${event.repeat})`,
          );
        } else if (event.side === 'a' || mode === 'interleaved') {
          // In a duet both labs report; one progress line (A's) is enough to follow the time.
          if (event.event.type !== 'load-started') progress.onEvent(event.event);
        }
      },
      onRun: async (side, repeat, run) => {
        const result = analyseRun(run.result);
        const dir = join(side, `run-${repeat}`);
        await writeRunOutput(join(outDir, dir), {
          result,
          html: renderReportHtml(result),
          ...(run.latencyLog === undefined ? {} : { latencyLog: run.latencyLog }),
        });
        results[side].push(result);
        sources[side].push(dir);
        latencyLogs[side].push(run.latencyLog);
      },
    });
  } finally {
    progress.end();
    interrupt.dispose();
  }
  if (results.a.length === 0 || results.b.length === 0) {
    if (outcome.failure !== undefined) {
      printError(outcome.failure);
      return outcome.failure.exitCode;
    }
    note('loadlab: stopped before both variants had run: nothing to compare');
    return ExitCode.interrupted;
  }
  const pairs = Math.min(results.a.length, results.b.length);
  const compared = (side: AbSide, label: string) =>
    comparedSide(
      label,
      results[side].slice(0, mode === 'duet' ? pairs : undefined).map((result, i) => {
        const latencyLog = latencyLogs[side][i];
        return {
          source: join(sources[side][i] as string, outputFileNames.result),
          result,
          ...(latencyLog === undefined ? {} : { latencyLog }),
        };
      }),
      args.phase,
    );
  const comparison = compareRunSets(compared('a', 'A'), compared('b', 'B'), {
    design: mode === 'duet' ? 'paired' : 'unpaired',
    thresholds,
  });
  const document = {
    ...comparison,
    mode,
    sharing: machineSharing(results),
    ...(mode === 'duet' ? { startOrder: startOrderOf(pairs) } : {}),
  };
  await writeFileAtomically(join(outDir, 'comparison.json'), JSON.stringify(document, null, 2) + '\n');
  const used = (side: AbSide) => (mode === 'duet' ? results[side].slice(0, pairs) : results[side]);
  const htmlPath = join(outDir, 'comparison.html');
  await writeFileAtomically(
    htmlPath,
    renderComparisonHtml({
      comparison,
      mode,
      a: reportSide(args, 'a', used('a'), sources.a),
      b: reportSide(args, 'b', used('b'), sources.b),
      notes: formatSharing(document.sharing, mode, document.startOrder).trimEnd().split('\n'),
    }),
  );
  if (args.json) process.stdout.write(JSON.stringify(document, null, 2) + '\n');
  else {
    process.stdout.write(formatComparison(comparison));
    process.stdout.write(formatSharing(document.sharing, mode, document.startOrder));
  }
  await writeCiOutputs(args, {
    junit: () => renderJunit([comparisonSuite(comparison, { timestamp: new Date().toISOString() })]),
    markdown: () => comparisonMarkdown(comparison),
  });
  const last = `a/b: ${shown(outDir)} (report: ${shown(htmlPath)})`;
  if (args.json) note(last);
  else process.stdout.write(last + '\n');
  if (outcome.failure !== undefined) {
    printError(outcome.failure);
    return outcome.failure.exitCode;
  }
  if (outcome.interrupted) return ExitCode.interrupted;
  return comparisonExitCode(comparison);
}

/** One side for the comparison report: what the variant is, its runs and their reports. */
function reportSide(args: AbArgs, side: AbSide, results: ResultDocument[], sources: string[]) {
  const overrides = side === 'a' ? args.a : args.b;
  const target = side === 'a' ? args.aTarget : args.bTarget;
  const description = [
    ...overrides.map((set) => `--${side} ${set}`),
    target === undefined ? 'the reference service, started by loadlab' : `--${side}-target ${target}`,
  ];
  return {
    results,
    description,
    reportHrefs: sources.slice(0, results.length).map((dir) => join(dir, outputFileNames.html)),
  };
}

/** How each side's generator fared: its self-check verdicts and its busiest second, over the repeats. */
interface SideSharing {
  runs: number;
  verdicts: Record<string, number>;
  eluMax: number;
  cpuPctMean?: number;
}

function machineSharing(results: Record<AbSide, ResultDocument[]>): Record<AbSide, SideSharing> {
  const side = (rs: ResultDocument[]): SideSharing => {
    const verdicts: Record<string, number> = {};
    let eluMax = 0;
    const cpu: number[] = [];
    for (const r of rs) {
      const g = r.summary.generator;
      const v = g?.verdict ?? (g?.suspect === true ? 'suspect' : 'ok');
      verdicts[v] = (verdicts[v] ?? 0) + 1;
      eluMax = Math.max(eluMax, g?.eluMax ?? g?.elu ?? 0);
      if (g?.cpuPct !== undefined) cpu.push(g.cpuPct);
    }
    return {
      runs: rs.length,
      verdicts,
      eluMax,
      ...(cpu.length === 0 ? {} : { cpuPctMean: cpu.reduce((x, y) => x + y, 0) / cpu.length }),
    };
  };
  return { a: side(results.a), b: side(results.b) };
}

/** Which side's lab started first in each compared pair of a duet (repeat numbers from 1). */
interface StartOrder {
  aFirst: number[];
  bFirst: number[];
}

function startOrderOf(pairs: number): StartOrder {
  const order: StartOrder = { aFirst: [], bFirst: [] };
  for (let r = 1; r <= pairs; r++) (duetStartOrder(r)[0] === 'a' ? order.aFirst : order.bFirst).push(r);
  return order;
}

function formatSharing(sharing: Record<AbSide, SideSharing>, mode: AbMode, order?: StartOrder): string {
  const line = (label: string, s: SideSharing) =>
    `  ${label}: generator ${Object.entries(s.verdicts)
      .map(([v, n]) => `${v} ${n}/${s.runs}`)
      .join(', ')}; busiest second ELU ${s.eluMax.toFixed(2)}` +
    (s.cpuPctMean === undefined ? '' : `; CPU ${s.cpuPctMean.toFixed(0)}% of a core`);
  const how = mode === 'duet' ? 'How A and B shared the machine (both at once):' : 'Each side’s generator:';
  const started =
    order === undefined
      ? ''
      : `  started first: A in ${order.aFirst.length} pair${order.aFirst.length === 1 ? '' : 's'}, B in ${order.bFirst.length}` +
        (order.aFirst.length === order.bFirst.length
          ? ' (balanced)\n'
          : ' (unbalanced: the side started first can fare differently at the tail; an even --repeat balances it)\n');
  return `${how}\n${line('A', sharing.a)}\n${line('B', sharing.b)}\n${started}`;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path) || path;
  return rel.startsWith('..') ? path : rel;
}
