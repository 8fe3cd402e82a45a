/** `loadlab sweep`'s flags checked together, and its exit code from the sweep document. */
import { resolve } from 'node:path';
import type { RankBy, SweepDocument } from '../analysis/index.js';
import { ExitCode, loadlabError } from '../shared/index.js';
import type { CapacitySearchArgs } from './capacity-flags.js';
import type { CiOutputArgs } from './ci-outputs.js';
import { checkOutFlag, type ScenarioFlags } from './run-flags.js';

export interface SweepArgs extends CiOutputArgs, ScenarioFlags, CapacitySearchArgs {
  /** Find each variant's capacity instead of running it as written. */
  capacity: boolean;
  target?: string;
  out?: string;
  matrix: string[];
  repeat: number;
  yes: boolean;
  resume?: string;
  rankBy: string;
  confidence: number;
  quiet: boolean;
  json: boolean;
}

const maxRepeats = 50;
/** The figures `--rank-by` takes. */
export const rankChoices = ['p99', 'rps', 'goodput'] as const;

/** Checks `--repeat`, `--confidence`, `--rank-by`, `--resume` with `--out`; every problem at once. */
export function checkFlags(args: SweepArgs): RankBy {
  const problems: string[] = [];
  if (!Number.isInteger(args.repeat) || args.repeat < 1 || args.repeat > maxRepeats) {
    problems.push(`--repeat: expected a whole number from 1 to ${maxRepeats}, got ${args.repeat}`);
  }
  if (!(args.confidence >= 0.5 && args.confidence < 1)) {
    problems.push(`--confidence: expected a number from 0.5 to below 1, such as 0.9, got ${args.confidence}`);
  }
  if (!(rankChoices as readonly string[]).includes(args.rankBy)) {
    problems.push(`--rank-by: expected one of ${rankChoices.join(', ')}, got "${args.rankBy}"`);
  }
  if (args.resume !== undefined && args.out !== undefined && resolve(args.resume) !== resolve(args.out)) {
    problems.push('--resume DIR is also the output folder: leave --out out, or give the same folder');
  }
  checkOutFlag(args.out);
  if (problems.length > 0) {
    throw loadlabError('BAD_FLAG', problems.length === 1 ? (problems[0] as string) : 'Some flags are wrong', {
      problems: problems.length === 1 ? [] : problems,
    });
  }
  return args.rankBy as RankBy;
}

/** 0 a winner, 4 a tie, 1 no variant held its SLOs, 3 every variant failed. */
export function exitCodeOf(doc: SweepDocument): number {
  switch (doc.outcome) {
    case 'winner':
      return ExitCode.ok;
    case 'tie':
      return ExitCode.inconclusive;
    case 'none-held':
      return ExitCode.sloFailed;
    case 'all-failed':
      return ExitCode.runFailed;
    case 'incomplete':
      return ExitCode.interrupted;
  }
}
