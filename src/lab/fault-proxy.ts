/**
 * Starts the fault proxy child of a run with one proxy per dependency, and reads back where each
 * proxy listens. The service is then pointed at those addresses instead of the dependencies' own.
 *
 *   lab ──spawn(proxy-main, LOADLAB_PROXY_CONFIG: [{name, upstream, listen 127.0.0.1:0}])──▶ proxy child
 *       ◀── IPC ready { url: admin API } ──┘   GET {admin}/proxies ─▶ each proxy's bound listen
 */
import { proxyConfigEnv } from '../chaos/index.js';
import { loadlabError } from '../shared/index.js';
import { entries } from '../shared/index.js';
import { startChild, type RunningChild } from './child-process.js';

/** A dependency to reach through the proxy: its name (the proxy's) and `host:port`. */
export interface Upstream {
  name: string;
  upstream: string;
}

/** Where a dependency really is, and where the service reaches it through the proxy (`host:port` each). */
export interface ProxiedDependency {
  upstream: string;
  listen: string;
}

/** The running proxy child. */
export interface RunningFaultProxy {
  child: RunningChild;
  /** The admin API's base URL (Toxiproxy-compatible). */
  adminUrl: string;
  /** Per dependency name. */
  dependencies: Record<string, ProxiedDependency>;
}

/** Starts the proxy child for `upstreams`; CHILD_FAILED (exit 3) when it cannot. */
export async function startFaultProxy(
  upstreams: readonly Upstream[],
  runtime: { execPath: string; env: Record<string, string | undefined> },
  seed: number,
): Promise<RunningFaultProxy> {
  const config = {
    seed,
    proxies: upstreams.map((u) => ({ name: u.name, upstream: u.upstream, listen: '127.0.0.1:0' })),
  };
  const child = await startChild({
    name: 'proxy',
    execPath: runtime.execPath,
    entry: entries.faultProxy(),
    env: { ...runtime.env, [proxyConfigEnv]: JSON.stringify({ config, adminPort: 0 }) },
  });
  try {
    const res = await fetch(`${child.url}/proxies`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as Record<string, { listen?: unknown; upstream?: unknown }>;
    const dependencies: Record<string, ProxiedDependency> = {};
    for (const { name, upstream } of upstreams) {
      const listen = body[name]?.listen;
      if (typeof listen !== 'string') throw new Error(`proxy ${name} is missing from GET /proxies`);
      dependencies[name] = { upstream, listen };
    }
    return { child, adminUrl: child.url, dependencies };
  } catch (error) {
    await child.stop();
    throw loadlabError(
      'CHILD_FAILED',
      `the proxy process did not list its proxies: ${(error as Error).message}`,
      {
        problems: child.lastLines(),
        cause: error,
      },
    );
  }
}

/** `host:port` of an `http://host:port` URL. */
export function hostPortOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port}`;
}
