/**
 * One `postgres` server process over an existing data folder: started on a loopback port with
 * settings for a fast, throw-away cluster, ready once it logs that it accepts connections, and
 * stopped by PID (SIGINT fast shutdown or SIGQUIT immediate, then SIGKILL after {@link stopGraceMs}).
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { loadlabError } from '../../shared/index.js';
import type { RunAs } from './run-as.js';

export interface PostgresServerSpec {
  /** Absolute path of the `postgres` binary. */
  binary: string;
  /** The cluster's data folder (made by initdb). */
  dataDir: string;
  /** Folder for the unix socket and the working directory (inside the temp folder). */
  socketDir: string;
  port: number;
  runAs: RunAs;
  /** Longest wait for "ready to accept connections", in ms. */
  startTimeoutMs: number;
  onLog: (line: string) => void;
  /** Aborting it while the server starts kills the server and fails the start. */
  signal?: AbortSignal;
}

/** How a stop asks the server to end: `fast` rolls back and disconnects; `immediate` is a crash. */
export type StopMode = 'fast' | 'immediate';

export interface PostgresServer {
  readonly pid: number;
  /** True once the process has exited. */
  readonly hasExited: boolean;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
  /** Stops the server (SIGKILL after `graceMs`, default {@link stopGraceMs}); resolves once it exited. */
  stop(mode?: StopMode, graceMs?: number): Promise<void>;
}

/** Settings that make a test cluster start in well under a second and never wait on the disk. */
export const fastClusterSettings: Record<string, string> = {
  // No waiting on the disk; a commit still reaches the OS before it returns (synchronous_commit
  // stays on), so a killed server — an outage staged by a test — loses nothing on restart.
  fsync: 'off',
  full_page_writes: 'off',
  shared_buffers: '16MB',
  max_connections: '100',
  logging_collector: 'off',
  // A backend notices a client that left mid-query (an aborted request) and stops its work.
  client_connection_check_interval: '500ms',
};

const readyLine = 'database system is ready to accept connections';

/**
 * Longest wait for postgres to stop before SIGKILL, in ms (1500). With the folder's removal it
 * fits inside the lab's 3 s stop grace (src/lab/child-process.ts): were the lab's SIGKILL first,
 * the wrapper would die before removing the folder.
 */
export const stopGraceMs = 1500;

/** Spawns `postgres` and resolves once it accepts connections; rejects with CHILD_FAILED. */
export async function startPostgresServer(spec: PostgresServerSpec): Promise<PostgresServer> {
  const settings = {
    ...fastClusterSettings,
    listen_addresses: '127.0.0.1',
    unix_socket_directories: spec.socketDir,
  };
  const args = ['-D', spec.dataDir, '-p', String(spec.port)];
  for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
  const child = spawn(spec.binary, args, {
    cwd: spec.socketDir,
    env: { LANG: 'C', LC_ALL: 'C', PATH: `${dirname(spec.binary)}:/usr/bin:/bin` },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(spec.runAs ?? {}),
  });
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      resolve();
    });
    // A spawn that fails (ENOENT, EACCES) emits 'error' and no 'exit'.
    child.once('error', (error) => {
      spec.onLog(`spawn failed: ${error.message}`);
      hasExited = true;
      resolve();
    });
  });
  const lines: string[] = [];
  let onReadyLine: (() => void) | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        spec.onLog(line);
        lines.push(line);
        if (lines.length > 40) lines.shift();
        if (line.includes(readyLine)) onReadyLine?.();
      }
    });
  }

  const server: PostgresServer = {
    get pid() {
      return child.pid ?? -1;
    },
    get hasExited() {
      return hasExited;
    },
    exited,
    async stop(mode = 'fast', graceMs = stopGraceMs) {
      if (hasExited) return;
      child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const outcome = await new Promise<'ready' | 'exited' | 'timeout' | 'aborted'>((resolve) => {
    const settle = (how: 'ready' | 'exited' | 'timeout' | 'aborted'): void => {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onAbort = (): void => settle('aborted');
    const timer = setTimeout(() => settle('timeout'), spec.startTimeoutMs);
    onReadyLine = () => settle('ready');
    void exited.then(() => settle('exited'));
    if (spec.signal?.aborted === true) settle('aborted');
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
  });
  onReadyLine = undefined;
  if (outcome === 'ready') return server;
  await server.stop('immediate', 1000);
  throw loadlabError(
    'CHILD_FAILED',
    outcome === 'exited'
      ? `postgres exited before accepting connections on port ${spec.port}`
      : outcome === 'aborted'
        ? 'postgres was stopped while it started'
        : `postgres did not accept connections within ${spec.startTimeoutMs} ms`,
    { problems: lines.slice(-15) },
  );
}
