/** `loadlab proxy`: the fault proxy alone, with its Toxiproxy-compatible admin API, until Ctrl-C. */
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { parse as parseYaml } from 'yaml';
import { proxyConfigSchema, startProxyServer, type ProxyConfig } from '../chaos/index.js';
import { formatZodIssues } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';
import { loadlabVersion } from './environment.js';
import { onInterrupt, serverStopCode } from './interrupt.js';
import { note, printError } from './output.js';
import { commandEntry } from './command-table.js';

interface ProxyArgs {
  config?: string;
  port: number;
  seed?: number;
}

export function registerProxy(yargs: Argv): Argv {
  return yargs.command<ProxyArgs>(
    commandEntry('proxy').usage,
    commandEntry('proxy').summary,
    (y) =>
      y
        .strict()
        .option('config', {
          type: 'string',
          describe: 'YAML or JSON: proxies [{name, listen, upstream, enabled, toxics}] and an optional seed',
        })
        .option('port', {
          type: 'number',
          default: 8474,
          describe: "Admin API port on 127.0.0.1 (Toxiproxy's 8474; 0 picks a free one)",
        })
        .option('seed', {
          type: 'number',
          describe: 'Seed of toxicity and HTTP fault draws (overrides the file)',
        }),
    async (args) => {
      process.exitCode = await proxy(args);
    },
  );
}

async function proxy(args: ProxyArgs): Promise<number> {
  try {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw loadlabError('BAD_FLAG', `--port: expected a port number 0-65535, got "${args.port}"`);
    }
    const config = await readConfig(args.config, args.seed);
    const interrupt = onInterrupt(note);
    try {
      const server = await startProxyServer({ config, port: args.port, version: loadlabVersion() }).catch(
        (error: unknown) => {
          throw loadlabError('BAD_FLAG', `the fault proxy could not start: ${(error as Error).message}`, {
            problems: [
              `--port ${args.port} or a proxy's listen address may be in use; --port 0 picks a free one`,
            ],
            cause: error,
          });
        },
      );
      for (const p of server.proxies.list()) note(`proxy ${p.name}: ${p.listen} -> ${p.upstream}`);
      process.stdout.write(`${server.adminUrl}\n`);
      if (!interrupt.signal.aborted)
        await new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve()));
      await server.close();
      return serverStopCode(interrupt.received);
    } finally {
      interrupt.dispose();
    }
  } catch (error) {
    return printError(error);
  }
}

/** Reads and checks the config file; with no file, no proxies (create them over the admin API). */
async function readConfig(file: string | undefined, seed: number | undefined): Promise<ProxyConfig> {
  let raw: unknown = { proxies: [] };
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw loadlabError('PROXY_CONFIG_INVALID', `--config: cannot read ${file}`, {
        problems: [`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`],
        cause: error,
      });
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      throw loadlabError('PROXY_CONFIG_INVALID', `--config: ${file} is not valid YAML or JSON`, {
        problems: [`${file}: ${(error as Error).message.split('\n')[0] ?? ''}`],
        cause: error,
      });
    }
  }
  if (seed !== undefined && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    raw = { ...raw, seed };
  }
  const parsed = proxyConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = formatZodIssues(parsed.error.issues, raw, file ?? '--config');
    throw loadlabError('PROXY_CONFIG_INVALID', `--config: ${file ?? ''} is not a valid proxy config`, {
      problems,
    });
  }
  return seed === undefined ? parsed.data : { ...parsed.data, seed };
}
