/**
 * The fault proxy as a child process of a run. Config: JSON in LOADLAB_PROXY_CONFIG,
 * `{ "config": <proxy config>, "adminPort": 0 }`. Once its proxies and admin API listen it sends the
 * parent `{type:'ready', url, pid}` over IPC, `url` being the admin API; started by hand it prints
 * `fault proxy admin API on <url>`. SIGTERM, SIGINT or the parent going away (IPC disconnect) stop
 * it with exit 0. Exit 2: invalid config; exit 1: could not start.
 */
import { exitAfterClose, failChild as fail, reportReady, stopOnParentOrSignal } from '../shared/index.js';
import { proxyConfigEnv, proxyConfigSchema } from './proxy-config.js';
import { startProxyServer, type ProxyServer } from './proxy-server.js';

function readConfig(): { config: ReturnType<typeof proxyConfigSchema.parse>; adminPort: number } | string {
  const text = process.env[proxyConfigEnv];
  if (text === undefined || text.trim() === '') return `${proxyConfigEnv}: expected JSON, got nothing`;
  let raw: { config?: unknown; adminPort?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (error) {
    return `${proxyConfigEnv}: expected JSON (${(error as Error).message})`;
  }
  const parsed = proxyConfigSchema.safeParse(raw.config);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `config.${i.path.join('.')}: ${i.message}`).join('\n');
  }
  const adminPort = typeof raw.adminPort === 'number' ? raw.adminPort : 0;
  return { config: parsed.data, adminPort };
}

async function main(): Promise<void> {
  const read = readConfig();
  if (typeof read === 'string') {
    fail(`fault proxy: invalid ${proxyConfigEnv}:\n${read}`, 2);
    return;
  }
  let server: ProxyServer | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    exitAfterClose('fault proxy', server?.close() ?? Promise.resolve());
  };
  stopOnParentOrSignal(stop);

  try {
    server = await startProxyServer({ config: read.config, port: read.adminPort });
  } catch (error) {
    fail(`fault proxy: cannot start: ${(error as Error).message}`, 1);
    return;
  }
  if (stopping) {
    await server.close();
    return;
  }
  reportReady('fault proxy', server.adminUrl, `fault proxy admin API on ${server.adminUrl}`);
}

main().catch((error: unknown) => fail(`fault proxy: ${String(error)}`, 1));
