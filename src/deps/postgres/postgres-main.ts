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
import type { ReadyMessage } from '../../shared/child-protocol.js';
import { isLoadlabError } from '../../shared/errors.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { parsePostgresChildConfig, postgresConfigEnv } from './postgres-config.js';

function fail(message: string, code: number): void {
  process.stderr.write(`${message}\n`, () => process.exit(code));
}

async function main(): Promise<void> {
  const config = parsePostgresChildConfig(process.env[postgresConfigEnv]);
  if ('problems' in config) {
    fail(
      `embedded postgres: invalid ${postgresConfigEnv}:\n${config.problems.map((p) => `  ${p}`).join('\n')}`,
      2,
    );
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
    cluster.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`embedded postgres: close failed: ${String(error)}`, 1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  if (process.send !== undefined && !process.connected) stop();

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
  if (process.send !== undefined) {
    const ready: ReadyMessage = { type: 'ready', url: cluster.url, pid: process.pid };
    process.send(ready, undefined, {}, (error: Error | null) => {
      if (error !== null)
        process.stderr.write(`embedded postgres: could not report ready: ${error.message}\n`);
    });
  } else {
    process.stdout.write(`postgres listening on ${cluster.url}\n`);
  }
}

main().catch((error: unknown) => fail(`embedded postgres: ${String(error)}`, 1));
