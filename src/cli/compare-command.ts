/** `loadlab compare <A> <B>`: compare two results or folders of repeated runs, metric by metric. */
import type { Argv } from 'yargs';
import { compareRunSets, type Comparison } from '../analysis/index.js';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  comparisonMarkdown,
  comparisonSuite,
  formatComparison,
  renderComparisonHtml,
  renderJunit,
} from '../report/index.js';
import { outputFileNames, readRunFiles, type RunFiles } from '../results/index.js';
import {
  ExitCode,
  isLoadlabError,
  loadlabError,
  parseThreshold,
  thresholdForm,
  type Threshold,
} from '../shared/index.js';
import { ciOutputOptions, writeCiOutputs, writeOutput, type CiOutputArgs } from './ci-outputs.js';
import { printError } from './output.js';
import { comparedSide, readLatencyLogs } from './compared-side.js';
import { commandEntry } from './command-table.js';

interface CompareArgs extends CiOutputArgs {
  a: string;
  b: string;
  failOn: string[];
  json: boolean;
  html?: string;
  phase: string[];
}

const epilog = `Each side is a result.json, a run folder, or a folder of repeated runs (run-1/, run-2/, ...).
Verdicts: better, worse, no change, inconclusive, on a two-sided 95% interval. Latency percentiles:
each side's geometric mean of its runs' percentiles, with a two-stage bootstrap over runs and their
requests (at least 5 runs a side); throughput, errors and service figures: one figure per run, with
exact rank intervals (at least 4 a side).
Thresholds (--fail-on, gate:) decide on a one-sided 95% bound in their direction (latency: at least 4
runs a side; others: 3).
Exit codes: 0 compared (and every --fail-on threshold passed); 1 a threshold failed with confidence;
2 invalid input (paths, thresholds, runs of different scenarios); 4 a threshold was inconclusive.
Docs: docs/compare.md`;

export function registerCompare(yargs: Argv): Argv {
  return yargs.command<CompareArgs>(
    commandEntry('compare').usage,
    commandEntry('compare').summary,
    (y) =>
      ciOutputOptions(
        y
          .strict()
          .positional('a', {
            type: 'string',
            demandOption: true,
            describe: 'The baseline: result.json or folder',
          })
          .positional('b', {
            type: 'string',
            demandOption: true,
            describe: 'The candidate: result.json or folder',
          })
          .option('fail-on', {
            type: 'string',
            array: true,
            default: [],
            describe:
              'Fail (exit 1) when B is worse than this with confidence, e.g. "p99:+10%", "rps:-5%", "errorRate:+0.5pp" (repeatable; replaces the scenario\'s gate:)',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'Print the comparison as JSON on stdout',
          })
          .option('phase', {
            type: 'string',
            array: true,
            default: [],
            describe:
              "Compare only the seconds of this phase, e.g. --phase steady to leave a warm-up out (repeatable; needs each run's latency.hlog)",
          })
          .option('html', {
            type: 'string',
            describe:
              'Write the comparison as an HTML report here: A and B side by side, spectra, latency over time, the verdicts',
          }),
      ).epilog(epilog),
    async (args) => {
      process.exitCode = await compareCommand(args);
    },
  );
}

async function compareCommand(args: CompareArgs): Promise<number> {
  try {
    const flagThresholds = parseThresholds(args.failOn, (i) => `--fail-on "${args.failOn[i]}"`);
    const [a, b] = await readSides(args.a, args.b);
    const thresholds = args.failOn.length > 0 ? flagThresholds : scenarioGate(b);
    const side = async (label: string, runs: RunFiles) => {
      const logs = args.phase.length > 0 ? await readLatencyLogs(runs.files) : [];
      return comparedSide(
        label,
        runs.results.map((result, i) => ({
          source: runs.files[i] as string,
          result,
          ...(logs[i] === undefined ? {} : { latencyLog: logs[i] }),
        })),
        args.phase,
      );
    };
    const comparison = compareRunSets(await side('A', a), await side('B', b), { thresholds });
    process.stdout.write(
      args.json ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison),
    );
    await writeCiOutputs(args, {
      junit: () => renderJunit([comparisonSuite(comparison, { timestamp: new Date().toISOString() })]),
      markdown: () => comparisonMarkdown(comparison),
    });
    if (args.html !== undefined) {
      const page = resolve(args.html);
      const side = (runs: RunFiles) => ({
        results: runs.results,
        reportHrefs: runReportHrefs(runs.files, page),
      });
      await writeOutput(args.html, renderComparisonHtml({ comparison, a: side(a), b: side(b) }), '--html');
    }
    return comparisonExitCode(comparison);
  } catch (error) {
    return printError(error);
  }
}

/** Each run's own report (index.html beside its result.json), relative to the page, where it exists. */
function runReportHrefs(files: readonly string[], page: string): (string | undefined)[] {
  return files.map((file) => {
    const report = join(dirname(resolve(file)), outputFileNames.html);
    return existsSync(report) ? relative(dirname(page), report) : undefined;
  });
}

/** The exit code of a comparison: 1 when a threshold failed with confidence, 4 when one was inconclusive, else 0. */
export function comparisonExitCode(comparison: Comparison): number {
  if (comparison.gate === 'fail') return ExitCode.sloFailed;
  if (comparison.gate === 'inconclusive') return ExitCode.inconclusive;
  return ExitCode.ok;
}

/** Every threshold parsed, or one BAD_THRESHOLD error listing each bad one. */
export function parseThresholds(texts: readonly string[], where: (i: number) => string): Threshold[] {
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  texts.forEach((text, i) => {
    const parsed = parseThreshold(text);
    if ('threshold' in parsed) thresholds.push(parsed.threshold);
    else problems.push(`${where(i)}: ${parsed.problem}`);
  });
  if (problems.length > 0) {
    throw loadlabError(
      'BAD_THRESHOLD',
      problems.length === 1
        ? (problems[0] as string)
        : `${problems.length} bad thresholds; expected ${thresholdForm}`,
      {
        problems,
      },
    );
  }
  return thresholds;
}

/** The candidate's scenario `gate:` thresholds (the same scenario as A's, which may gate differently). */
function scenarioGate(b: RunFiles): Threshold[] {
  const first = b.results[0];
  const gate = first?.scenario.gate ?? [];
  return parseThresholds(gate, (i) => `${b.files[0]}: scenario.gate[${i}]`);
}

/** Reads both sides; when both fail, one error lists both. */
async function readSides(aPath: string, bPath: string): Promise<[RunFiles, RunFiles]> {
  const [a, b] = await Promise.allSettled([readRunFiles(aPath), readRunFiles(bPath)]);
  if (a.status === 'fulfilled' && b.status === 'fulfilled') return [a.value, b.value];
  const failures = [a, b].flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  const first = failures[0];
  if (failures.length === 2 && isLoadlabError(first)) {
    const problems = failures.flatMap((f) =>
      isLoadlabError(f) ? (f.problems.length > 0 ? f.problems : [f.message]) : [String(f)],
    );
    throw loadlabError(first.code, `${first.message} (and the other side failed too)`, { problems });
  }
  throw first;
}
