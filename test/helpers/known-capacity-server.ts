/**
 * A test server of known capacity, in its own child process: `c` requests served at once, each
 * taking `s` ms, the rest queued in arrival order, so it answers at most c / s per millisecond.
 *
 *   arrival ─▶ FIFO queue ─▶ one of c slots: busy for exactly s ms ─▶ answer 200
 *
 * A slot's time is kept on a virtual clock (a slot freed at time f starts its next request at
 * max(f, arrival)), so timers that fire late add latency but never take throughput away: the
 * capacity is c / s however busy the host. A request whose client went away while it queued is
 * skipped without using a slot, so an overloaded step does not leave work for the next one.
 * Only requests for `path` are served so; it counts them (IPC `{ type: 'count' }`). Anything else
 * (the lab's reachability check, its /metrics reads) is answered 404 at once and not counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const script = `
const http = require('node:http');
const { c, s, path } = JSON.parse(process.argv[1]);
let count = 0;
const queue = [];
const freeAt = new Array(c).fill(0);
const busy = new Array(c).fill(false);
function next(slot) {
  while (queue.length > 0) {
    const job = queue.shift();
    if (job.res.destroyed || job.req.socket.destroyed) continue;
    busy[slot] = true;
    const start = Math.max(freeAt[slot], job.at);
    const end = start + s;
    freeAt[slot] = end;
    setTimeout(() => {
      if (!job.res.destroyed) job.res.end('ok');
      busy[slot] = false;
      next(slot);
    }, Math.max(0, end - performance.now()));
    return;
  }
  // Idle: its next request starts when it arrives, but never before this one's time was up (a
  // timer can fire a little early).
}
const server = http.createServer((req, res) => {
  req.resume();
  // Only the load's path is served and counted: the lab's reachability check and /metrics reads get a 404.
  if (req.url !== path) { res.statusCode = 404; res.end(); return; }
  count++;
  queue.push({ req, res, at: performance.now() });
  const idle = busy.indexOf(false);
  if (idle >= 0) next(idle);
});
server.keepAliveTimeout = 60000;
server.requestTimeout = 0;
server.headersTimeout = 0;
process.on('message', (m) => { if (m.type === 'count') process.send({ type: 'count', count }); });
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

/** A running server of known capacity. */
export interface KnownCapacityServer {
  url: string;
  /** Its capacity, requests/s: c / s. */
  capacityRps: number;
  /** Requests for its path it has received so far. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Starts the server with `c` slots of `s` ms each, serving `path`; close it in the test's cleanup hook. */
export async function startKnownCapacityServer(
  c: number,
  s: number,
  path = '/work',
): Promise<KnownCapacityServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', script, JSON.stringify({ c, s, path })], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line !== undefined) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`known-capacity server exited early with code ${code}`)));
  });
  return {
    url,
    capacityRps: (c / s) * 1000,
    async count() {
      const reply = once(child, 'message') as Promise<[{ count: number }]>;
      child.send({ type: 'count' });
      return (await reply)[0].count;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
