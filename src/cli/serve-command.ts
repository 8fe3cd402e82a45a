/**
 * `loadlab serve`: the reference service with its dependencies, each behind the fault proxy, for
 * any load tool; faults are injected by hand through the proxy's admin API.
 */
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { serviceKnobsSchema } from '../../protocol/index.js';
import { dbSpecSchema } from '../deps/index.js';
import { recsSimSpecSchema } from '../deps/index.js';
import { startSystem, type RunningSystem } from '../lab/index.js';
import { applyOverrides, formatZodIssues } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';
import { onInterrupt, serverStopCode } from './interrupt.js';
import { note, printError } from './output.js';
import { commandEntry } from './command-table.js';

interface ServeArgs {
  config?: string;
  set: string[];
  port: number;
  seed: number;
}

/** The part of a scenario `serve` reads: the service's knobs and its dependencies. */
const serveConfigSchema = z.object({
  service: serviceKnobsSchema,
  dependencies: z.object({ db: dbSpecSchema, recommendations: recsSimSpecSchema }).prefault({}),
});

export function registerServe(yargs: Argv): Argv {
  return yargs.command<ServeArgs>(
    commandEntry('serve').usage,
    commandEntry('serve').summary,
    (y) =>
      y
        .strict()
        .option('config', {
          type: 'string',
          describe: 'A scenario (or any YAML/JSON) whose service: and dependencies: sections are used',
        })
        .option('set', {
          type: 'string',
          array: true,
          default: [],
          describe: 'Set a knob: --set service.db.pool.max=20, --set dependencies.db.capacity=16',
        })
        .option('port', { type: 'number', default: 0, describe: 'Port for the service (0: a free one)' })
        .option('seed', { type: 'number', default: 1, describe: 'Seed of the simulated database' }),
    async (args) => {
      process.exitCode = await serve(args);
    },
  );
}

async function serve(args: ServeArgs): Promise<number> {
  try {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw loadlabError('BAD_FLAG', `--port: expected a port number 0-65535, got "${args.port}"`);
    }
    let raw: unknown = {};
    if (args.config !== undefined) {
      let text: string;
      try {
        text = await readFile(args.config, 'utf8');
      } catch (error) {
        throw loadlabError('SCENARIO_NOT_FOUND', `cannot read ${args.config}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      raw = parseYaml(text) ?? {};
    }
    const withSets = applyOverrides(raw, args.set);
    const parsed = serveConfigSchema.safeParse(withSets);
    if (!parsed.success) {
      throw loadlabError('SCENARIO_INVALID', `${args.config ?? '--set'}: invalid service settings`, {
        problems: formatZodIssues(parsed.error.issues, withSets, args.config ?? '--set'),
      });
    }
    const interrupt = onInterrupt(note);
    try {
      const system = await startSystem(
        {
          knobs: parsed.data.service,
          db: parsed.data.dependencies.db,
          recommendations: parsed.data.dependencies.recommendations,
          seed: args.seed,
          servicePort: args.port,
          // Nobody here reads the service's once-a-second samples: do not have them sent.
          serviceTelemetry: false,
        },
        { execPath: process.execPath, env: { ...process.env } },
        interrupt.signal,
        note,
      );
      process.stdout.write(`${system.url}\n`);
      for (const line of describeProxy(system)) note(line);
      const died = Promise.race(system.children.map((c) => c.exited.then(() => c)));
      const stopped = new Promise<'signal'>((r) =>
        interrupt.signal.addEventListener('abort', () => r('signal')),
      );
      const why = await Promise.race([died, stopped]);
      await system.stop();
      if (why !== 'signal') {
        throw loadlabError('CHILD_FAILED', `the ${why.name} process exited`, { problems: why.lastLines() });
      }
      return serverStopCode(interrupt.received);
    } finally {
      interrupt.dispose();
    }
  } catch (error) {
    return printError(error);
  }
}

/** The fault proxy's admin URL and each dependency's proxied address, for injecting faults by hand. */
function describeProxy(system: RunningSystem): string[] {
  const names = Object.keys(system.dependencies);
  return [
    `fault proxy admin API: ${system.proxyAdminUrl} (Toxiproxy-compatible)`,
    ...Object.entries(system.dependencies).map(
      ([name, d]) => `proxy ${name}: ${d.listen} -> ${d.upstream} (the service connects to the first)`,
    ),
    `e.g. curl -X POST ${system.proxyAdminUrl}/proxies/${names[0] ?? 'db'}/toxics -d '{"type":"latency","attributes":{"latency":50}}'`,
  ];
}
