/**
 * A throw-away PostgreSQL cluster: initdb into a fresh temporary folder, one `postgres` server
 * on a free loopback port with its unix socket inside that folder, and everything removed by
 * `close()` (also when starting fails part-way). Under root the binaries run as the `postgres`
 * account. The server can be stopped and started again on the same port and data, which is how
 * a database outage is staged. Given `ownerPid` (the wrapper process), it marks its folder as
 * owned and first reclaims the folders of owners that were killed (stale-folders.ts).
 *
 *   mkdtemp ─▶ chown ─▶ initdb (trust, UTF8, C locale, no fsync) ─▶ postgres -p <free port>
 *                                                                    │ stopServer()/startServer()
 *   close(): stop (fast, then SIGKILL) ─▶ rm -rf the folder ◀────────┘
 */
import { spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadlabError } from '../../shared/index.js';
import { findPostgres } from './find-postgres.js';
import { startPostgresServer, type PostgresServer, type StopMode } from './postgres-server.js';
import { postgresRunAs, type RunAs } from './run-as.js';
import { folderPrefix, markOwner, reclaimStaleFolders } from './stale-folders.js';

export interface EmbeddedPostgresOptions {
  /** A PATH searched for initdb/postgres before /usr/lib/postgresql/<major>/bin (default none). */
  pathVar?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Folder the temporary cluster folder is made in (default the OS temp folder). */
  tmpRoot?: string;
  /** Longest wait for initdb, and then for the server to accept connections (default 30000 ms). */
  startTimeoutMs?: number;
  /** Receives every line initdb and the server write (default: dropped). */
  onLog?: (line: string) => void;
  /** Aborting it during the start stops initdb or the server, removes the folder and fails the start. */
  signal?: AbortSignal;
  /**
   * PID of the process that owns the cluster, written into its folder; when set, folders of dead
   * owners in the same root are removed first (default none: no mark, no reclaim).
   */
  ownerPid?: number;
}

/** A running throw-away cluster. */
export interface EmbeddedPostgres {
  /** Connection URL: postgres://postgres@127.0.0.1:<port>/postgres (trust auth, no password). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The temporary folder holding the data folder and the socket; removed by close(). */
  readonly dir: string;
  /** PID of the running server, undefined while it is stopped. */
  readonly pid: number | undefined;
  /** Stops the server and keeps the data: `fast` (default) or `immediate` (like a crash). */
  stopServer(mode?: StopMode): Promise<void>;
  /** Starts the server again on the same port and data. */
  startServer(): Promise<void>;
  /** Stops the server and removes the folder; idempotent. */
  close(): Promise<void>;
}

/** The superuser initdb creates; the URL connects as it. */
export const embeddedSuperuser = 'postgres';

/** Creates and starts a throw-away cluster; throws CHILD_FAILED (with initdb's or postgres's last lines). */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const binaries = findPostgres(options.pathVar);
  const runAs = postgresRunAs();
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const onLog = options.onLog ?? (() => {});
  const root = options.tmpRoot ?? tmpdir();
  if (options.ownerPid !== undefined) {
    for (const stale of await reclaimStaleFolders(root)) onLog(`removed ${stale}: its owner was killed`);
  }
  const dir = await mkdtemp(join(root, folderPrefix));
  const dataDir = join(dir, 'data');
  let server: PostgresServer | undefined;
  let port = options.port ?? 0;

  const start = (): Promise<PostgresServer> =>
    startPostgresServer({
      binary: binaries.postgres,
      dataDir,
      socketDir: dir,
      port,
      runAs,
      startTimeoutMs,
      onLog,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });

  try {
    await chmod(dir, 0o700);
    if (options.ownerPid !== undefined) await markOwner(dir, options.ownerPid);
    if (runAs !== undefined) await chown(dir, runAs.uid, runAs.gid);
    await runInitdb(binaries.initdb, dataDir, dir, runAs, startTimeoutMs, onLog, options.signal);
    if (port === 0) {
      // A free port can be taken by someone else before postgres binds it: try a second one.
      for (let attempt = 1; ; attempt++) {
        port = await freePort();
        try {
          server = await start();
          break;
        } catch (error) {
          if (attempt >= 3 || options.signal?.aborted === true) throw error;
        }
      }
    } else {
      server = await start();
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let closed: Promise<void> | undefined;
  const host = '127.0.0.1';
  return {
    url: `postgres://${embeddedSuperuser}@${host}:${port}/postgres`,
    host,
    port,
    dir,
    get pid() {
      return server !== undefined && !server.hasExited ? server.pid : undefined;
    },
    async stopServer(mode = 'fast') {
      await server?.stop(mode);
      server = undefined;
    },
    async startServer() {
      if (closed !== undefined) throw loadlabError('CHILD_FAILED', 'the embedded cluster is closed');
      if (server !== undefined && !server.hasExited) return;
      server = await start();
    },
    close() {
      closed ??= (async () => {
        try {
          await server?.stop('fast');
        } finally {
          server = undefined;
          await rm(dir, { recursive: true, force: true });
        }
      })();
      return closed;
    },
  };
}

/** Runs initdb into `dataDir`; throws CHILD_FAILED with its last lines when it fails. */
async function runInitdb(
  initdb: string,
  dataDir: string,
  cwd: string,
  runAs: RunAs,
  timeoutMs: number,
  onLog: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const args = [
    '-D',
    dataDir,
    '-U',
    embeddedSuperuser,
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ];
  const child = spawn(initdb, args, {
    cwd,
    env: { LANG: 'C', LC_ALL: 'C', PATH: `${dirname(initdb)}:/usr/bin:/bin` },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ?? {}),
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        onLog(line);
        lines.push(line);
        if (lines.length > 20) lines.shift();
      }
    });
  }
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const result = await new Promise<string | undefined>((resolve) => {
    const settle = (why: string | undefined): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      settle('initdb was stopped: the start was aborted');
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(`initdb did not finish within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('error', (error) => settle(`initdb could not be started: ${error.message}`));
    child.once('exit', (code, sig) => settle(code === 0 ? undefined : `initdb failed (exit ${code ?? sig})`));
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  // A killed initdb must be gone before its folder is removed.
  if (result !== undefined && child.exitCode === null && child.signalCode === null) await exited;
  if (result !== undefined) throw loadlabError('CHILD_FAILED', result, { problems: lines });
}

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
