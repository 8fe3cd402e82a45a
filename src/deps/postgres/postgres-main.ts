/**
 * The embedded PostgreSQL cluster as a child process of a run: it makes the throw-away cluster,
 * reports `{type:'ready', url, pid}` over IPC (url: postgres://...), or, started by hand, prints
 * `postgres listening on <url>`; SIGTERM, SIGINT or the parent going away (IPC disconnect) stop
 * the server and remove the folder, then exit 0. Exit 2: invalid config; exit 1: could not start
 * (the reason and postgres's last lines on stderr).
 *
 * Being a process of its own is what keeps postgres from outliving the run: a killed
 * orchestrator closes the IPC channel, and this process takes the cluster down with it. The
 * stop fits in the lab's 3 s grace (stopGraceMs); the lab's SIGKILL after it reaches this
 * process's whole group, the postgres server included.
 */
import {
  exitAfterClose,
  failChild as fail,
  invalidConfigMessage,
  reportReady,
  stopOnParentOrSignal,
} from '../../shared/index.js';
import { isLoadlabError } from '../../shared/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { parsePostgresChildConfig, postgresConfigEnv } from './postgres-config.js';

async function main(): Promise<void> {
  const config = parsePostgresChildConfig(process.env[postgresConfigEnv]);
  if ('problems' in config) {
    fail(invalidConfigMessage('embedded postgres', postgresConfigEnv, config.problems), 2);
    return;
  }
  let cluster: EmbeddedPostgres | undefined;
  let stopping = false;
  const starting = new AbortController();
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Still starting: abort it; the start stops initdb/postgres, removes the folder and fails.
    if (cluster === undefined) {
      starting.abort();
      return;
    }
    exitAfterClose('embedded postgres', cluster.close());
  };
  stopOnParentOrSignal(stop);

  try {
    cluster = await startEmbeddedPostgres({
      pathVar: process.env.PATH,
      ...config,
      signal: starting.signal,
      ownerPid: process.pid,
    });
  } catch (error) {
    if (stopping) process.exit(0);
    const problems = isLoadlabError(error) ? [...error.problems] : [];
    fail(`embedded postgres: ${(error as Error).message}\n${problems.map((p) => `  ${p}`).join('\n')}`, 1);
    return;
  }
  if (stopping) {
    await cluster.close();
    process.exit(0);
  }
  reportReady('embedded postgres', cluster.url, `postgres listening on ${cluster.url}`);
}

main().catch((error: unknown) => fail(`embedded postgres: ${String(error)}`, 1));
