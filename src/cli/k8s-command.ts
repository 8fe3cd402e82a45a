/**
 * `loadlab k8s <scenario> --shards N --image IMG --target URL`: writes the Kubernetes manifests of
 * a run split into N shards (an Indexed Job); `loadlab k8s collect <name>`: reads the shards'
 * results back with kubectl and merges them (docs/distributed.md).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { stringify } from 'yaml';
import { collectCommands, k8sManifests, sizeGenerator } from '../experiments/index.js';
import { loadInputProblems } from '../load/index.js';
import { ensureFolder, writeFileAtomically } from '../results/index.js';
import { buildPlan, loadScenario, maxShards } from '../scenario/index.js';
import { loadlabError, parseDurationMs } from '../shared/index.js';
import { mergeFolders } from './merge-command.js';
import { note, printError } from './output.js';
import { parseStartAt } from './shard-flags.js';
import { commandEntry } from './command-table.js';

interface K8sArgs {
  scenario: string;
  shards: number;
  image?: string;
  target?: string;
  proxy?: string;
  name?: string;
  namespace: string;
  'start-at'?: string;
  lead: string;
  set: string[];
  duration?: string;
  storage: string;
  out?: string;
}

interface CollectArgs {
  name: string;
  namespace: string;
  out?: string;
  timeout: string;
  'dry-run': boolean;
}

export function registerK8s(yargs: Argv): Argv {
  return yargs.command(
    commandEntry('k8s').usage,
    commandEntry('k8s').summary,
    (y) =>
      y
        .command<CollectArgs>(
          'collect <name>',
          "Wait for the Job, copy the shards' results out with kubectl cp, and merge them",
          (c) =>
            c
              .strict()
              .positional('name', { type: 'string', demandOption: true, describe: 'The run (Job) name' })
              .option('namespace', { type: 'string', default: 'default' })
              .option('out', {
                type: 'string',
                describe: 'Folder for shards/ and merged/ (default reports/<name>-k8s)',
              })
              .option('timeout', {
                type: 'string',
                default: '1h',
                describe: 'How long kubectl waits for the Job',
              })
              .option('dry-run', {
                type: 'boolean',
                default: false,
                describe: 'Print the commands instead of running them',
              }),
          async (args) => {
            process.exitCode = await collectCommand(args);
          },
        )
        .command<K8sArgs>(
          '$0 <scenario>',
          'Write the manifests',
          (c) =>
            c
              .strict()
              .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file' })
              .option('shards', { type: 'number', demandOption: true, describe: 'Shards (pods), N' })
              .option('image', { type: 'string', describe: 'Container image with loadlab (see Dockerfile)' })
              .option('target', { type: 'string', describe: 'URL of the service every shard loads' })
              .option('proxy', {
                type: 'string',
                describe: "Your fault proxy's admin URL (applied by shard 0)",
              })
              .option('name', { type: 'string', describe: 'Job name (default: the scenario name)' })
              .option('namespace', { type: 'string', default: 'default' })
              .option('start-at', { type: 'string', describe: 'Common start time (default: now + --lead)' })
              .option('lead', {
                type: 'string',
                default: '2m',
                describe: 'With no --start-at: how far ahead the start lies (apply within it)',
              })
              .option('set', {
                type: 'string',
                array: true,
                default: [],
                describe: 'Override a field (repeatable)',
              })
              .option('duration', { type: 'string', describe: 'Cap the run, e.g. 10m' })
              .option('storage', { type: 'string', default: '1Gi', describe: 'Size of the results volume' })
              .option('out', { type: 'string', describe: 'Folder for the manifests (default k8s/)' }),
          async (args) => {
            process.exitCode = await manifestsCommand(args);
          },
        ),
    () => {},
  );
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

async function manifestsCommand(args: K8sArgs): Promise<number> {
  try {
    const now = Date.now();
    const problems: string[] = [];
    if (!Number.isInteger(args.shards) || args.shards < 1 || args.shards > maxShards) {
      problems.push(`--shards: expected a whole number from 1 to ${maxShards}, found ${args.shards}`);
    }
    if (args.image === undefined || args.image.trim() === '') {
      problems.push('--image: expected the image to run (built from the Dockerfile), found none');
    }
    if (args.target === undefined) {
      problems.push(
        '--target: expected the URL of the service every shard loads, found none (shards each booting their own reference service would not load one service)',
      );
    } else if (!/^https?:\/\/[^/\s]+/.test(args.target)) {
      problems.push(`--target: expected an http:// or https:// URL, found "${args.target}"`);
    }
    let startAtMs: number | undefined;
    if (args['start-at'] !== undefined) {
      startAtMs = parseStartAt(args['start-at']);
      if (startAtMs === undefined || startAtMs <= now) {
        problems.push(
          `--start-at: expected a future time, ISO 8601 (2026-12-02T08:00:00Z) or ms since the epoch, found "${args['start-at']}"`,
        );
      }
    } else {
      const lead = parseDurationMs(args.lead);
      if (lead === undefined || lead < 10_000) {
        problems.push(`--lead: expected a duration of at least 10s such as "2m", found "${args.lead}"`);
      } else startAtMs = now + lead;
    }
    const { scenario } = await loadScenario(args.scenario, {
      sets: args.set,
      extraChecks: (input) => loadInputProblems(input, { baseDir: dirname(resolve(args.scenario)) }),
    });
    const name =
      args.name ??
      scenario.name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .slice(0, 40);
    if (!dnsLabel.test(name) || name.length > 40) {
      problems.push(`--name: expected a DNS label of at most 40 characters (a-z, 0-9, -), found "${name}"`);
    }
    const maxDurationMs = args.duration === undefined ? undefined : parseDurationMs(args.duration);
    if (args.duration !== undefined && (maxDurationMs === undefined || maxDurationMs < 1000)) {
      problems.push(`--duration: expected a duration of at least 1s such as "10m", found "${args.duration}"`);
    }
    if (problems.length > 0) {
      throw loadlabError(
        'BAD_FLAG',
        problems.length === 1 ? (problems[0] as string) : `${problems.length} problems with the flags`,
        problems.length === 1 ? {} : { problems },
      );
    }
    const plan = buildPlan(scenario, maxDurationMs === undefined ? {} : { maxDurationMs });
    const size = sizeGenerator(plan, args.shards);
    const startAt = new Date(startAtMs as number).toISOString();
    const objects = k8sManifests({
      name,
      namespace: args.namespace,
      image: args.image as string,
      shards: args.shards,
      scenarioText: await readFile(args.scenario, 'utf8'),
      scenarioFile: basename(args.scenario),
      target: args.target as string,
      ...(args.proxy === undefined ? {} : { proxy: args.proxy }),
      startAt,
      sets: args.set,
      ...(args.duration === undefined ? {} : { duration: args.duration }),
      size,
      storage: args.storage,
    });
    const outDir = resolve(args.out ?? 'k8s');
    await ensureFolder(outDir);
    const file = join(outDir, `${name}.yaml`);
    await writeFileAtomically(
      file,
      objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n'),
    );
    const shown = relative(process.cwd(), file) || file;
    process.stdout.write(
      [
        `${args.shards} shards, each: ${size.rule}`,
        `start: ${startAt} (apply before then; a pod not ready by then fails)`,
        `next: kubectl apply -f ${shown}`,
        `then: loadlab k8s collect ${name} --namespace ${args.namespace}`,
        `manifests: ${shown}`,
      ].join('\n') + '\n',
    );
    return 0;
  } catch (error) {
    return printError(error);
  }
}

async function collectCommand(args: CollectArgs): Promise<number> {
  try {
    const dir = resolve(args.out ?? join('reports', `${args.name}-k8s`));
    const plan = collectCommands({ name: args.name, namespace: args.namespace, dir, timeout: args.timeout });
    if (args['dry-run']) {
      for (const argv of plan.kubectl) process.stdout.write(argv.map(quote).join(' ') + '\n');
      process.stdout.write(`loadlab merge ${quote(plan.shardsDir)}/shard-* --out ${quote(plan.mergedDir)}\n`);
      return 0;
    }
    await ensureFolder(dir);
    for (const argv of plan.kubectl) {
      note(argv.join(' '));
      const code = await run(argv).catch((error: unknown) => {
        throw loadlabError('CHILD_FAILED', `${argv[0]} could not be started: ${(error as Error).message}`, {
          cause: error,
        });
      });
      if (code !== 0) {
        throw loadlabError('CHILD_FAILED', `${argv.slice(0, 4).join(' ')} … exited with code ${code}`);
      }
    }
    const shards = (await readdir(plan.shardsDir)).filter((d) => d.startsWith('shard-')).sort();
    return await mergeFolders(
      shards.map((d) => join(plan.shardsDir, d)),
      plan.mergedDir,
      false,
    );
  } catch (error) {
    return printError(error);
  }
}

function run(argv: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
