/**
 * The system under test as the lab boots it: the simulated database, then the reference
 * service pointed at it, each its own process on a free loopback port.
 *
 *   db simulator (child) ◀── fault proxy (child) ◀── undici Pool ── reference service (child) ◀── load workers
 *   recs simulator (child) ◀──┘  (proxy "recommendations")
 *
 * Every dependency is reached through the fault proxy: dependencies first, then the proxy with one
 * proxy per entry of the `upstreams` list (named after the dependency), then the service pointed at
 * the proxies' listen addresses.
 */
import type { ServiceKnobs } from '../../protocol/index.js';
import { serviceConfigEnv } from '../../protocol/index.js';
import type { DbSpec } from '../deps/index.js';
import { recsConfigEnv, recsSimSpecSchema, type RecsSimSpec } from '../deps/index.js';
import { telemetryEnv } from '../../protocol/index.js';
import { loadlabError } from '../shared/index.js';
import { entries } from '../shared/index.js';
import { startChild, type RunningChild } from './child-process.js';
import { startDatabase } from './database.js';
import { hostPortOf, startFaultProxy, type ProxiedDependency, type Upstream } from './fault-proxy.js';

/** How to start child processes: the node binary and the environment they inherit. */
export interface ProcessRuntime {
  execPath: string;
  env: Record<string, string | undefined>;
}

export interface SystemSpec {
  knobs: ServiceKnobs;
  /** The simulated database (default), or PostgreSQL: embedded, or one the user runs. */
  db: DbSpec;
  /** The simulated recommendations API (default: its defaults). */
  recommendations?: RecsSimSpec;
  seed: number;
  /** How long the service may take to answer /ready, ms (default 15000). */
  readyTimeoutMs?: number;
  /** Port for the service; 0 (the default) picks a free one. */
  servicePort?: number;
  /**
   * Whether the service sends its parent one runtime sample a second over IPC (default true);
   * false sets LOADLAB_TELEMETRY=off, for a parent that reads none (`loadlab serve`).
   */
  serviceTelemetry?: boolean;
}

export interface RunningSystem {
  /** The reference service's base URL. */
  url: string;
  dbUrl: string;
  /** The fault proxy's admin API (Toxiproxy-compatible), for the fault schedule. */
  proxyAdminUrl: string;
  /** Each dependency, by name: its real address and the proxy's address the service uses. */
  dependencies: Record<string, ProxiedDependency>;
  children: RunningChild[];
  /** Stops every child, service first; safe to call more than once. */
  stop(): Promise<void>;
}

/** Boots the database then the service and waits until the service answers /ready with 200. */
export async function startSystem(
  spec: SystemSpec,
  runtime: ProcessRuntime,
  signal: AbortSignal,
  onStatus: (message: string) => void = () => {},
): Promise<RunningSystem> {
  const children: RunningChild[] = [];
  const stop = async () => {
    for (const child of [...children].reverse()) await child.stop();
  };
  try {
    onStatus(
      spec.db.kind !== 'postgres'
        ? 'starting the simulated database'
        : spec.db.embedded === true
          ? 'starting an embedded PostgreSQL cluster'
          : 'using the PostgreSQL at dependencies.db.url',
    );
    onStatus('starting the simulated recommendations API');
    // The two dependencies know nothing of each other: boot them at once (one child's start-up,
    // not two, before the proxy). Whichever started is stopped with the rest if the other fails.
    const [dbStart, recsStart] = await Promise.allSettled([
      startDatabase(spec.db, runtime, spec.seed),
      startChild({
        name: 'recommendations',
        execPath: runtime.execPath,
        entry: entries.recsSimulator(),
        env: {
          ...runtime.env,
          [recsConfigEnv]: JSON.stringify({
            spec: spec.recommendations ?? recsSimSpecSchema.parse(undefined),
            seed: spec.seed,
            host: '127.0.0.1',
            port: 0,
          }),
        },
      }),
    ]);
    if (dbStart.status === 'fulfilled' && dbStart.value.child !== undefined)
      children.push(dbStart.value.child);
    if (recsStart.status === 'fulfilled') children.push(recsStart.value);
    if (dbStart.status === 'rejected') throw dbStart.reason;
    if (recsStart.status === 'rejected') throw recsStart.reason;
    const db = dbStart.value;
    const recs = recsStart.value;
    throwIfAborted(signal);
    // One proxy per dependency; further dependencies add their entry here.
    const upstreams: Upstream[] = [
      { name: 'db', upstream: `${db.host}:${db.port}` },
      { name: 'recommendations', upstream: hostPortOf(recs.url) },
    ];
    onStatus(`database at ${db.url}; starting the fault proxy`);
    const proxy = await startFaultProxy(upstreams, runtime, spec.seed);
    children.push(proxy.child);
    throwIfAborted(signal);
    const via = (name: string): string => `http://${proxy.dependencies[name]?.listen ?? ''}`;
    onStatus(`fault proxy admin API at ${proxy.adminUrl}; starting the reference service`);
    const service = await startChild({
      name: 'service',
      execPath: runtime.execPath,
      entry: entries.referenceService(),
      env: {
        ...runtime.env,
        ...(spec.serviceTelemetry === false ? { [telemetryEnv]: 'off' } : {}),
        [serviceConfigEnv]: JSON.stringify({
          host: '127.0.0.1',
          port: spec.servicePort ?? 0,
          dbUrl: db.urlVia(proxy.dependencies.db?.listen ?? ''),
          dbUsers: db.users,
          recsUrl: via('recommendations'),
          seed: spec.seed,
          knobs: spec.knobs,
        }),
      },
    });
    children.push(service);
    await waitReady(service, signal, spec.readyTimeoutMs);
    onStatus(`reference service ready at ${service.url}`);
    return {
      url: service.url,
      dbUrl: db.url,
      proxyAdminUrl: proxy.adminUrl,
      dependencies: proxy.dependencies,
      children,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw loadlabError('INTERRUPTED', 'interrupted while starting the system');
}

/** Polls GET /ready until it answers 200, the child exits, or 15 s pass. */
async function waitReady(child: RunningChild, signal: AbortSignal, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    throwIfAborted(signal);
    if (child.hasExited) break;
    try {
      const res = await fetch(`${child.url}/ready`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `GET /ready answered ${res.status}`;
    } catch (error) {
      last = `GET /ready failed: ${(error as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw loadlabError('CHILD_FAILED', `the ${child.name} process did not become ready (${last})`, {
    problems: child.lastLines(),
  });
}
