/**
 * The flags of `loadlab capacity`: the run flags it shares with `run`, the search's own
 * (`--start-rate`, `--precision`, `--step`, `--warmup`, `--max-rate`, `--max-steps`), and `--slo`,
 * checked all at once before anything starts.
 */
import type { Argv } from 'yargs';
import { defaultCapacityStep, stepShapeProblems, type CapacityStepShape } from '../experiments/index.js';
import { loadlabError, parseDurationMs } from '../shared/index.js';
import { ciOutputOptions, type CiOutputArgs } from './ci-outputs.js';
import type { ScenarioFlags } from './run-flags.js';

/** The search's own flags. */
export interface CapacitySearchArgs {
  startRate?: number;
  precision: string;
  step: string;
  warmup: string;
  maxRate: number;
  maxSteps: number;
  slo: string[];
}

export interface CapacityArgs extends CiOutputArgs, Omit<ScenarioFlags, 'duration'>, CapacitySearchArgs {
  target?: string;
  proxy?: string;
  out?: string;
  quiet: boolean;
  json: boolean;
}

/** The highest rate a step may have (the scenario schema's bound on a rate). */
const rateCeiling = 1_000_000;
const maxStepsCeiling = 100;

/** Adds every flag of the command to `y`. */
export function capacityFlagOptions(y: Argv): Argv<CapacityArgs> {
  return capacitySearchOptions(ciOutputOptions(y))
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
    .option('out', {
      type: 'string',
      describe:
        'Output folder (default reports/<name>-capacity-<YYYYMMDD-HHMMSS>): step-N/ per step, capacity.json, capacity.html',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print capacity.json on stdout',
    }) as unknown as Argv<CapacityArgs>;
}

/** The flags of the search itself, shared by `capacity` and `sweep --capacity`. */
export function capacitySearchOptions(y: Argv): Argv {
  return y
    .option('start-rate', {
      type: 'number',
      describe: "First rate tried, requests/s (default: the scenario's highest planned rate, or 100)",
    })
    .option('precision', {
      type: 'string',
      default: '5%',
      describe: 'Stop bisecting when the highest rate held and the lowest missed are this close: 5%, or 0.05',
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
    });
}

/** The flags that shape the search, checked all at once. */
export function searchFlags(
  args: Pick<CapacityArgs, 'precision' | 'step' | 'warmup' | 'startRate' | 'maxRate' | 'maxSteps' | 'slo'>,
): { shape: CapacityStepShape; precision: number } {
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
    problems.push(...stepShapeProblems({ stepMs, warmupMs }, { step: '--step', warmup: '--warmup' }));
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
export function sloOverrides(slo: readonly string[]): { set: string; flag: string }[] {
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
