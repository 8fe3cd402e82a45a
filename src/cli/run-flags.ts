/**
 * The flags every command that runs a scenario shares (`run`, `ab`): which scenario, with which
 * overrides, against which target, capped how long; and how they become one run's plan.
 */
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { requestTemplateProblems } from '../load/index.js';
import {
  loadScenario,
  planRun,
  type LabPlan,
  type OverrideInput,
  type Scenario,
  type ShardSpec,
} from '../scenario/index.js';
import { loadlabError, parseDurationMs } from '../shared/index.js';

export interface ScenarioFlags {
  scenario: string;
  set: string[];
  seed?: number;
  workers?: number;
  duration?: string;
}

/** Adds `--set`, `--seed`, `--workers` and `--duration`. */
export function scenarioFlagOptions<T>(y: Argv<T>): Argv<T & ScenarioFlags> {
  return y
    .option('duration', { type: 'string', describe: 'Cap the run at this long, e.g. 10s, 2m' })
    .option('set', {
      type: 'string',
      array: true,
      default: [],
      describe: 'Override a scenario field: --set service.db.pool.max=20 (repeatable)',
    })
    .option('seed', { type: 'number', describe: 'Seed for every random draw (overrides the scenario)' })
    .option('workers', {
      type: 'number',
      describe: 'Load worker threads (overrides load.workers)',
    }) as Argv<T & ScenarioFlags>;
}

/** A scenario loaded with the flags' overrides (and `extra` ones, e.g. a variant's), and the plan of one run of it. */
export async function planFromFlags(
  flags: ScenarioFlags,
  options: {
    extra?: OverrideInput[];
    /** Plan only this share of the run. */
    shard?: ShardSpec;
    target?: string;
    proxy?: string;
    /** Checks the loaded scenario against the flags before it is planned (to word problems with the flags). */
    check?: (scenario: Scenario) => void;
  } = {},
): Promise<{ scenario: Scenario; plan: LabPlan }> {
  const sets: OverrideInput[] = [...flags.set, ...(options.extra ?? [])];
  if (flags.seed !== undefined) sets.push({ set: `seed=${flags.seed}`, flag: `--seed ${flags.seed}` });
  if (flags.workers !== undefined)
    sets.push({ set: `load.workers=${flags.workers}`, flag: `--workers ${flags.workers}` });
  const scenarioDir = dirname(resolve(flags.scenario));
  const { scenario } = await loadScenario(flags.scenario, {
    sets,
    extraChecks: (input) => requestTemplateProblems(input, { baseDir: scenarioDir }),
  });
  options.check?.(scenario);
  const maxDurationMs = flags.duration === undefined ? undefined : parseDurationMs(flags.duration);
  if (flags.duration !== undefined && (maxDurationMs === undefined || maxDurationMs < 1000)) {
    throw loadlabError(
      'BAD_FLAG',
      `--duration: expected a duration of at least 1s such as "30s", got "${flags.duration}"`,
    );
  }
  const plan = planRun(scenario, {
    scenarioDir,
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.proxy === undefined ? {} : { proxyAdminUrl: options.proxy }),
    ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  });
  return { scenario, plan };
}

/** Load goes to loopback only: a target elsewhere is refused. `flag` names the flag in the message. */
export function checkTarget(text: string, flag = '--target'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw loadlabError('BAD_FLAG', `${flag}: expected a URL such as http://127.0.0.1:3000, got "${text}"`);
  }
  if (url.protocol !== 'http:') {
    throw loadlabError('BAD_FLAG', `${flag}: expected an http:// URL, got "${text}"`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw loadlabError(
      'BAD_FLAG',
      `${flag}: load goes to loopback only (127.0.0.0/8, ::1, localhost), got "${host}"`,
    );
  }
  return url.origin;
}

/** The default output folder of a scenario's run: reports/<name>-<YYYYMMDD-HHMMSS>. */
export function defaultOutDir(name: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return join('reports', `${name}-${stamp}`);
}

/** `--out ''` is refused: it would write into the current folder. */
export function checkOutFlag(out: string | undefined): void {
  if (out !== undefined && out.trim() === '') {
    throw loadlabError('BAD_FLAG', '--out: expected a folder, got an empty string');
  }
}
