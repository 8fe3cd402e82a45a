/**
 * The lab's database step: the simulated database, a throw-away PostgreSQL cluster, or a
 * PostgreSQL the user runs, as `dependencies.db` says. Whichever it is, the step answers where it
 * listens ({host, port}, for the fault proxy in front of it) and how the service reaches it
 * through a given address.
 *
 *   kind simulated          ─▶ db simulator child     http://127.0.0.1:<port>
 *   kind postgres, embedded ─▶ postgres-main child    postgres://postgres@127.0.0.1:<port>/postgres
 *   kind postgres, url      ─▶ nothing started        the url as given
 */
import { postgresConfigEnv, type DbSpec } from '../deps/index.js';
import { dbConfigEnv } from '../../protocol/index.js';
import { distEntry, entries } from '../shared/index.js';
import { startChild, type RunningChild } from './child-process.js';
import type { ProcessRuntime } from './system.js';

/** A database the lab started or was pointed at. */
export interface RunningDatabase {
  kind: 'simulated' | 'postgres';
  /** Its own URL (http:// for the simulator, postgres:// for PostgreSQL). */
  url: string;
  /** Where it listens, for a proxy in front of it. */
  host: string;
  port: number;
  /** The child process the lab started, if any (stopped with the others). */
  child?: RunningChild;
  /** Users seeded 1..n. */
  users: number;
  /** The URL the service uses when it reaches the database through `hostPort` ("127.0.0.1:4100"). */
  urlVia(hostPort: string): string;
}

/** Compiled entry of the embedded PostgreSQL child. */
export const postgresEntry = (): string => distEntry('src/deps/postgres/postgres-main.ts');

/** Starts (or locates) the database the scenario names; throws CHILD_FAILED when it cannot start. */
export async function startDatabase(
  spec: DbSpec,
  runtime: ProcessRuntime,
  seed: number,
): Promise<RunningDatabase> {
  if (spec.kind !== 'postgres') {
    const child = await startChild({
      name: 'db',
      execPath: runtime.execPath,
      entry: entries.dbSimulator(),
      env: {
        ...runtime.env,
        [dbConfigEnv]: JSON.stringify({ spec, seed, host: '127.0.0.1', port: 0 }),
      },
    });
    return describe('simulated', child.url, spec.users, child);
  }
  if (spec.url !== undefined) return describe('postgres', spec.url, spec.users);
  const child = await startChild({
    name: 'postgres',
    execPath: runtime.execPath,
    entry: postgresEntry(),
    env: { ...runtime.env, [postgresConfigEnv]: JSON.stringify({ port: 0 }) },
    // initdb plus the first start take about a second; a loaded machine gets more room.
    readyTimeoutMs: 60_000,
  });
  return describe('postgres', child.url, spec.users, child);
}

function describe(
  kind: RunningDatabase['kind'],
  url: string,
  users: number,
  child?: RunningChild,
): RunningDatabase {
  const parsed = new URL(url);
  const port = parsed.port === '' ? (kind === 'postgres' ? 5432 : 80) : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    kind,
    url,
    host,
    port,
    users,
    ...(child === undefined ? {} : { child }),
    urlVia(hostPort) {
      const via = new URL(url);
      via.host = hostPort;
      return kind === 'simulated' ? via.origin : via.href;
    },
  };
}
