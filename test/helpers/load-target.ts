/**
 * HTTP targets of known behaviour for the load engine's truth tests, each in its own child
 * process (never in the generator's event loop). The child prints its URL as its first stdout
 * line and answers `{ type: 'count' }` over IPC with the requests it has received.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * How a target behaves: answer after a fixed timer, stall its event loop periodically, answer a
 * status, answer in two chunks, or answer the first `answered` requests under `path` at once and
 * then stop answering them (it still reads each request and keeps its connection open, as a hung
 * service does); requests elsewhere (the CLI's reachability check, /metrics) are answered 404.
 */
export type TargetBehaviour =
  | { kind: 'delay'; ms: number }
  | { kind: 'stall'; stallMs: number; everyMs: number }
  | { kind: 'status'; status: number }
  | { kind: 'chunked' }
  | { kind: 'stops-after'; answered: number; path: string };

const script = `
const http = require('node:http');
const b = JSON.parse(process.argv[1]);
let count = 0;
let under = 0;
const byPath = {};
const server = http.createServer((req, res) => {
  count++;
  byPath[req.url] = (byPath[req.url] || 0) + 1;
  req.resume();
  if (b.kind === 'delay') setTimeout(() => res.end('ok'), b.ms);
  else if (b.kind === 'status') { res.statusCode = b.status; res.end('status ' + b.status); }
  else if (b.kind === 'chunked') { res.write('part one,'); setImmediate(() => res.end('part two')); }
  else if (b.kind === 'stops-after') {
    if (!req.url.startsWith(b.path)) { res.statusCode = 404; res.end(); }
    else if (++under <= b.answered) res.end('ok');
  }
  else res.end('ok');
});
server.keepAliveTimeout = 60000;
server.requestTimeout = 0;
server.headersTimeout = 0;
if (b.kind === 'stall') {
  setInterval(() => { const end = performance.now() + b.stallMs; while (performance.now() < end) {} }, b.everyMs);
}
process.on('message', (m) => { if (m.type === 'count') process.send({ type: 'count', count, byPath }); });
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

/** A running target: its URL, its request count, and how to stop it. */
export interface LoadTarget {
  url: string;
  /** Requests the target has received so far. */
  count(): Promise<number>;
  /** Requests the target has received for one path (e.g. the load's, leaving out reachability checks and /metrics reads). */
  countOf(path: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts a target child process; close it in the test's cleanup hook. */
export async function startLoadTarget(behaviour: TargetBehaviour): Promise<LoadTarget> {
  const child: ChildProcess = spawn(process.execPath, ['-e', script, JSON.stringify(behaviour)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line !== undefined) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`load target exited early with code ${code}`)));
  });
  const counts = async (): Promise<{ count: number; byPath: Record<string, number> }> => {
    const reply = once(child, 'message') as Promise<[{ count: number; byPath: Record<string, number> }]>;
    child.send({ type: 'count' });
    return (await reply)[0];
  };
  return {
    url,
    async count() {
      return (await counts()).count;
    },
    async countOf(path) {
      return (await counts()).byPath[path] ?? 0;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
