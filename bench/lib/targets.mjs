// Targets for the load benchmarks, each in its own process: a Node server answering after a
// fixed timer (known latency), a plain Node server, and nginx (one worker, pinned with taskset,
// optionally logging each request's time so the load can be counted at the server).
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { msecLogFormat, readMsecLog } from './server-counts.mjs';

const nodeTargetScript = `
const http = require('node:http');
const delayMs = Number(process.argv[1]);
let count = 0;
const server = http.createServer((req, res) => {
  count++;
  if (delayMs > 0) setTimeout(() => res.end('hello world'), delayMs);
  else res.end('hello world');
});
server.keepAliveTimeout = 60000;
process.on('message', () => process.send(count));
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

/** Starts a Node target (optionally pinned to `cpu`) that answers after `delayMs` (0: at once). */
export async function startNodeTarget({ delayMs = 0, cpu } = {}) {
  const args = ['-e', nodeTargetScript, String(delayMs)];
  const child =
    cpu === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
      : spawn('taskset', ['-c', String(cpu), process.execPath, ...args], {
          stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        });
  const [line] = await once(child.stdout, 'data');
  return {
    url: line.toString().split('\n')[0].trim(),
    pid: child.pid,
    async close() {
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) (utime, stime) are 12 and 13 after the command; clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pids of the children of `pid` (Linux /proc). */
export function childrenOf(pid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // the process ended while the list was read: not a child any more
    }
  }
  return out;
}

/**
 * Starts nginx (master and its one worker pinned to `cpu` with taskset, the worker also by
 * worker_cpu_affinity) serving an 11-byte file; throws when nginx is missing. With `accessLog`,
 * every request is logged as its `$msec` (buffered, flushed at exit) and `close()` returns the
 * log read by {@link readMsecLog}. `workerCpuSeconds()` is the worker's CPU time so far.
 */
export async function startNginx({ cpu = 0, accessLog = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-nginx-'));
  // Readable by the worker, which runs as an unprivileged user when nginx is started as root.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'html'));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'html', 'index.html'), 'hello world');
  const port = await freePort();
  const logPath = join(dir, 'logs', 'access.log');
  const log = accessLog ? `${msecLogFormat} access_log ${logPath} msec buffer=256k;` : 'access_log off;';
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1; worker_cpu_affinity ${'0'.repeat(Math.max(0, 1 - cpu))}${(1 << cpu).toString(2)};
daemon off; master_process on; error_log ${dir}/logs/error.log; pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http { ${log} keepalive_requests 1000000; keepalive_timeout 120s;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server { listen 127.0.0.1:${port}; root ${dir}/html; location / { }
    location = /ready { access_log off; return 204; } } }
`,
  );
  const child = spawn('taskset', ['-c', String(cpu), 'nginx', '-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/index.html`;
  for (let i = 0; i < 100; i++) {
    try {
      // Not logged: the log holds the load's requests only.
      const res = await fetch(`http://127.0.0.1:${port}/ready`);
      if (res.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // taskset execs nginx, so the child is the master; its one child is the worker.
  const [worker] = childrenOf(child.pid);
  return {
    url,
    pid: child.pid,
    workerCpuSeconds: () => (worker === undefined ? NaN : cpuSecondsOf(worker)),
    async close() {
      // SIGQUIT: graceful shutdown, so the worker writes out its buffered log lines first.
      child.kill(accessLog ? 'SIGQUIT' : 'SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      const counts = accessLog ? readMsecLog(logPath) : undefined;
      rmSync(dir, { recursive: true, force: true });
      return counts;
    },
  };
}

/** The environment line every benchmark prints: Node, CPU, OS, commit, load average. */
export async function environment() {
  const os = await import('node:os');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    commit = 'unknown';
  }
  return {
    node: process.version,
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}`,
    os: `${os.type()} ${os.release()}`,
    commit,
    loadavg: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

/** Writes a results file formatted as the repository's prettier config wants, so format checks stay green. */
export async function writeMarkdown(path, text) {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(text, { ...options, filepath: path }));
}
