/**
 * The system under test as the lab boots it: the simulated database, then the reference
 * service pointed at it, each its own process on a free loopback port.
 *
 *   db simulator (child) ◀── undici Pool ── reference service (child) ◀── load workers
 */
import type { ServiceKnobs } from '../../reference-service/src/config.js';
import { serviceConfigEnv } from '../../reference-service/src/config.js';
import type { DbSimSpec } from '../deps/db-spec.js';
import { dbConfigEnv } from '../shared/child-protocol.js';
import { loadlabError } from '../shared/errors.js';
import { entries } from '../shared/paths.js';
import { startChild, type RunningChild } from './child-process.js';

/** How to start child processes: the node binary and the environment they inherit. */
export interface ProcessRuntime {
  execPath: string;
  env: Record<string, string | undefined>;
}

export interface SystemSpec {
  knobs: ServiceKnobs;
  db: DbSimSpec;
  seed: number;
  /** Port for the service; 0 (the default) picks a free one. */
  servicePort?: number;
}

export interface RunningSystem {
  /** The reference service's base URL. */
  url: string;
  dbUrl: string;
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
    onStatus('starting the simulated database');
    const db = await startChild({
      name: 'db',
      execPath: runtime.execPath,
      entry: entries.dbSimulator(),
      env: {
        ...runtime.env,
        [dbConfigEnv]: JSON.stringify({ spec: spec.db, seed: spec.seed, host: '127.0.0.1', port: 0 }),
      },
    });
    children.push(db);
    throwIfAborted(signal);
    onStatus(`database at ${db.url}; starting the reference service`);
    const service = await startChild({
      name: 'service',
      execPath: runtime.execPath,
      entry: entries.referenceService(),
      env: {
        ...runtime.env,
        [serviceConfigEnv]: JSON.stringify({
          host: '127.0.0.1',
          port: spec.servicePort ?? 0,
          dbUrl: db.url,
          knobs: spec.knobs,
        }),
      },
    });
    children.push(service);
    await waitReady(service, signal);
    onStatus(`reference service ready at ${service.url}`);
    return { url: service.url, dbUrl: db.url, children, stop };
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
