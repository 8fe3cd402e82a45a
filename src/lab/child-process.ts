/**
 * Starts one child process of a run (the simulated database, the reference service), waits
 * for its ready message, keeps its last log lines for error reports, and stops it by PID.
 *
 *   parent ──spawn(node entry, env config)──▶ child
 *          ◀──── IPC { type: 'ready', url } ──┘   (or exit first: CHILD_FAILED + last lines)
 *   stop(): SIGTERM ─ grace ─▶ SIGKILL to its whole process group (what it started dies with it)
 */
import { spawn, type ChildProcess } from 'node:child_process';
// Only to signal a child's process group (ChildProcess.kill reaches its own PID alone).
import { kill as signalPid } from 'node:process';
import { loadlabError } from '../shared/index.js';
import { isReadyMessage } from '../../protocol/index.js';

export interface ChildSpec {
  /** Short name used in messages: "db", "service". */
  name: string;
  /** Node executable to run the entry with. */
  execPath: string;
  /** Compiled entry file. */
  entry: string;
  env: Record<string, string | undefined>;
  /** Longest wait for the ready message (default 15000 ms). */
  readyTimeoutMs?: number;
  /** Log lines kept for error reports (default 40). */
  keepLines?: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningChild {
  name: string;
  pid: number;
  url: string;
  /** Settles when the process has exited, for whatever reason. */
  exited: Promise<ChildExit>;
  /** True once the process has exited. */
  readonly hasExited: boolean;
  /** The last lines the child wrote to stdout and stderr. */
  lastLines(): string[];
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000 ms); resolves once it has exited. */
  stop(graceMs?: number): Promise<ChildExit>;
  /** Subscribes to the child's IPC messages after 'ready' (e.g. telemetry); returns the unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}

/** Starts the child and resolves once it is ready; rejects with CHILD_FAILED (exit 3) otherwise. */
export function startChild(spec: ChildSpec): Promise<RunningChild> {
  const keep = spec.keepLines ?? 40;
  const lines: string[] = [];
  const child = spawn(spec.execPath, [spec.entry], {
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own process group: a terminal's Ctrl-C reaches only the orchestrator, which then stops
    // the children in order. If the orchestrator dies, the IPC channel closes and they stop too.
    detached: true,
  });
  const collect = (stream: NodeJS.ReadableStream | null, tag: string) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(`[${spec.name} ${tag}] ${line}`);
        if (lines.length > keep) lines.shift();
      }
    });
    stream?.on('end', () => {
      if (partial !== '') lines.push(`[${spec.name} ${tag}] ${partial}`);
    });
  };
  collect(child.stdout, 'out');
  collect(child.stderr, 'err');

  let hasExited = false;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    });
  });

  return new Promise<RunningChild>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const tail = lines.length > 0 ? lines : ['(it printed nothing)'];
      void stopProcess(child, exited, 3000).then(() =>
        reject(loadlabError('CHILD_FAILED', `the ${spec.name} process ${why}`, { problems: tail })),
      );
    };
    const timer = setTimeout(
      () => fail(`was not ready within ${spec.readyTimeoutMs ?? 15_000} ms`),
      spec.readyTimeoutMs ?? 15_000,
    );
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    void exited.then((e) => {
      if (!settled) {
        // Give the pipes a moment to deliver the child's last words before reporting them.
        setTimeout(() => fail(`exited before it was ready (${describeExit(e)})`), 50);
      }
    });
    child.on('message', (message) => {
      if (settled || !isReadyMessage(message)) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        name: spec.name,
        pid: child.pid as number,
        url: message.url,
        exited,
        get hasExited() {
          return hasExited;
        },
        lastLines: () => [...lines],
        stop: (graceMs = 3000) => stopProcess(child, exited, graceMs),
        onMessage(listener) {
          child.on('message', listener);
          return () => child.off('message', listener);
        },
      });
    });
  });
}

/** Describes how a process ended: "exit code 1" or "signal SIGKILL". */
export function describeExit(e: ChildExit): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

async function stopProcess(
  child: ChildProcess,
  exited: Promise<ChildExit>,
  graceMs: number,
): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => killGroup(child), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SIGKILLs the child's process group: children are started detached, so the group is the child
 * and whatever it spawned without detaching (the postgres server under its wrapper), which
 * would otherwise outlive it with its port and folder.
 */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) signalPid(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // no such group (already gone)
  }
}
