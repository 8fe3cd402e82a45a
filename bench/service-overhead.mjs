// What the reference service costs on its cache-hit path (`GET /users/1` after warm-up), against a
// bare `node:http` server returning the same body, as a SIMULTANEOUS A/B (docs/measured-facts.md): both
// servers pinned to core 0 at the same time, each driven by its own wrk pinned to core 1. Each
// server counts its own responses (the service's http_requests_total from /metrics, a counter in
// the bare server read over IPC), read 1 s after both wrk started and 1 s before they stop, so
// both counts cover the same seconds.
//
//   core 0: reference service (telemetry on)   reference service (LOADLAB_TELEMETRY=off)   bare node:http
//   core 1: wrk → service (on) + wrk → bare    |  wrk → service (off) + wrk → bare       (alternating pairs)
//
// The service runs as the lab runs it: a child with an IPC channel (so its one-second telemetry
// goes to this process), every metric on, against the simulated database (another child, core 1).
//
// Run (after npm run build):
//   node bench/service-overhead.mjs [rounds=5] [seconds=8] [connections=16]
//     prints the table of this run as Markdown (bench/results/service-overhead.md keeps two runs)
//   node bench/service-overhead.mjs --against DIR [rounds=5] [seconds=8] [connections=16]
//     this checkout's service against the one built in DIR (e.g. an older commit), both telemetry on
//   node bench/service-overhead.mjs --profile [seconds=10] [connections=16]
//     one service (telemetry on) under wrk with `node --cpu-prof`; prints the top 15 functions by
//     self time
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchema } from '../dist/src/scenario/schema.js';
import { environment } from './lib/targets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const profileMode = process.argv[2] === '--profile';
// --against DIR: the bare server's place is taken by the service built in DIR (its dist/), e.g.
// an older commit's, for a duet of two versions of the service (telemetry on in both).
const againstDir = process.argv[2] === '--against' ? process.argv[3] : undefined;
const args = profileMode ? process.argv.slice(3) : process.argv.slice(againstDir === undefined ? 2 : 4);
const rounds = profileMode ? 0 : Number(args[0] ?? 5);
const seconds = Number((profileMode ? args[0] : args[1]) ?? (profileMode ? 10 : 8));
const connections = Number((profileMode ? args[1] : args[2]) ?? 16);
const path = '/users/1';
const scenario = scenarioSchema.parse({
  name: 'bench',
  load: { model: 'closed', phases: [{ name: 'x', duration: 1, connections: 1 }], requests: [{ path }] },
});

/** Spawns `argv` pinned to `cpu` with an IPC channel; resolves with the child and its first message. */
async function startChild(name, argv, env, cpu) {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, ...argv], {
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const first = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });
  const message = await first;
  return {
    name,
    child,
    url: message.url,
    pid: child.pid,
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

// The bare server: the same status, body and content type as the service's answer; counts responses.
const bareScript = `
const http = require('node:http');
const body = Buffer.from(process.env.BARE_BODY);
let count = 0;
const server = http.createServer((req, res) => {
  count++;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60000;
process.on('message', () => process.send({ type: 'count', count }));
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', url: 'http://127.0.0.1:' + server.address().port }));
`;

async function startBare(body) {
  const bare = await startChild('bare', ['-e', bareScript], { ...process.env, BARE_BODY: body }, 0);
  bare.count = async () => {
    const reply = once(bare.child, 'message');
    bare.child.send('count');
    return (await reply)[0].count;
  };
  return bare;
}

function serviceEnv(dbUrl, telemetry) {
  return {
    ...process.env,
    LOADLAB_TELEMETRY: telemetry ? 'on' : 'off',
    LOADLAB_SERVICE_CONFIG: JSON.stringify({ host: '127.0.0.1', port: 0, dbUrl, knobs: scenario.service }),
  };
}

async function startService(name, dbUrl, telemetry, nodeArgs = [], base = root) {
  const entry = join(base, 'dist/reference-service/src/main.js');
  const service = await startChild(name, [...nodeArgs, entry], serviceEnv(dbUrl, telemetry), 0);
  let samples = 0;
  service.child.on('message', (m) => {
    if (m?.type === 'telemetry') samples++;
  });
  Object.defineProperty(service, 'samples', { get: () => samples });
  // Its own count of 2xx answers on the measured route, from its /metrics.
  service.count = async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    let n = 0;
    for (const line of text.split('\n')) {
      if (
        line.startsWith('http_requests_total{') &&
        line.includes(`route="/users/:id"`) &&
        line.includes('status="200"')
      )
        n += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return n;
  };
  return service;
}

/** wrk pinned to core 1 against `url` for `durationS`; resolves with wrk's own summary. */
async function wrk(url, durationS) {
  const child = spawn(
    'taskset',
    ['-c', '1', 'wrk', '-t1', `-c${connections}`, `-d${durationS}s`, `${url}${path}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  await once(child, 'exit');
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: (.*)/.exec(out)?.[1];
  return { requests, non2xx, socketErrors };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Both servers driven at once; each one's own count over the same inner window (1 s in, 1 s before the end). */
async function duet(a, b, durationS) {
  const runs = Promise.all([wrk(a.url, durationS), wrk(b.url, durationS)]);
  await sleep(1000);
  const [a0, b0] = await Promise.all([a.count(), b.count()]);
  const t0 = performance.now();
  await sleep((durationS - 2) * 1000);
  const [a1, b1] = await Promise.all([a.count(), b.count()]);
  const windowS = (performance.now() - t0) / 1000;
  const [wa, wb] = await runs;
  for (const w of [wa, wb]) {
    if (w.non2xx > 0) throw new Error(`wrk saw non-2xx answers: ${JSON.stringify(w)}`);
  }
  return {
    a: (a1 - a0) / windowS,
    b: (b1 - b0) / windowS,
    windowS,
    errors: [wa.socketErrors, wb.socketErrors],
  };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Self time by function from a .cpuprofile, over [fromMs, toMs] since the profile began, as shares
 * of the busy time (idle excluded): the top `n` rows.
 */
function topSelf(profile, n, fromMs, toMs) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    atUs += dt[i];
    if (atUs < fromMs * 1000 || atUs > toMs * 1000) continue;
    const node = byId.get(profile.samples[i]);
    if (node.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(root + '/', '');
    const key = `${functionName || '(anonymous)'} ${file ? `${file.split('node_modules/').at(-1)}:${lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i + 1] ?? 0));
  }
  const total = [...self.values()].reduce((x, y) => x + y, 0);
  return [...self.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([key, us]) => ({ key: key.trim(), pct: (us / total) * 100, ms: us / 1000 }));
}

const env = await environment();
const db = await startChild(
  'db',
  [join(root, 'dist/src/deps/db-main.js')],
  {
    ...process.env,
    LOADLAB_DB_CONFIG: JSON.stringify({
      spec: scenario.dependencies.db,
      seed: 1,
      host: '127.0.0.1',
      port: 0,
    }),
  },
  1,
);

if (profileMode) {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-service-prof-'));
  const spawnedAt = performance.now();
  const service = await startService('service', db.url, true, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  let window;
  try {
    await wrk(service.url, 3); // warm-up: the first request fills the cache, then JIT
    const c0 = await service.count();
    const from = performance.now() - spawnedAt;
    await wrk(service.url, seconds);
    window = [from, performance.now() - spawnedAt];
    const c1 = await service.count();
    console.log(
      `# profile: ${seconds}s of wrk -c${connections} GET ${path}, ${c1 - c0} answers, ${service.samples} telemetry samples`,
    );
  } finally {
    await service.close();
    await db.close();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const top = topSelf(JSON.parse(readFileSync(join(dir, file), 'utf8')), 15, ...window);
  console.log(`profile: ${join(dir, file)}\n`);
  console.log('| # | self % of busy time | function (file:line) |\n| -: | -: | --- |');
  top.forEach((row, i) => console.log(`| ${i + 1} | ${row.pct.toFixed(1)} | \`${row.key}\` |`));
  process.exit(0);
}

const body = await (async () => {
  const probe = await startService('probe', db.url, false);
  try {
    const res = await fetch(`${probe.url}${path}`);
    return await res.text();
  } finally {
    await probe.close();
  }
})();
const on = await startService('service (telemetry on)', db.url, true);
const off =
  againstDir === undefined
    ? await startService('service (telemetry off)', db.url, false)
    : await startService('baseline service', db.url, true, [], againstDir);
const bare = againstDir === undefined ? await startBare(body) : off;
const loadBefore = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(`# service overhead: ${rounds} rounds x ${seconds}s, wrk -t1 -c${connections} each, GET ${path}`);
console.log(env);
const rows = [];
try {
  // Warm-up as measured (fills the cache, JIT), then rounds alternating which pair goes first.
  await duet(on, bare, 4);
  if (againstDir === undefined) await duet(off, bare, 4);
  for (let i = 0; i < rounds; i++) {
    const order = againstDir !== undefined ? [on] : i % 2 === 0 ? [on, off] : [off, on];
    for (const service of order) {
      const r = await duet(service, bare, seconds);
      rows.push({
        round: i + 1,
        variant: service === on ? 'on' : 'off',
        service: r.a,
        bare: r.b,
        ratio: r.a / r.b,
        windowS: r.windowS.toFixed(1),
      });
      console.log(
        `round ${i + 1} telemetry ${rows.at(-1).variant}: service ${r.a.toFixed(0)}/s, bare ${r.b.toFixed(0)}/s, ratio ${(r.a / r.b).toFixed(3)}`,
      );
    }
  }
} finally {
  for (const s of new Set([on, off, bare, db])) await s.close();
}
if (againstDir !== undefined) {
  const ratios = rows.map((r) => r.ratio);
  console.log(
    `this checkout / the service in ${againstDir}: median ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}, n = ${ratios.length}); load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  process.exit(0);
}
const loadAfter = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const summary = (variant) => {
  const ratios = rows.filter((r) => r.variant === variant).map((r) => r.ratio);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), n: ratios.length };
};
const sOn = summary('on');
const sOff = summary('off');
const md = `## Reference service vs bare node:http (this run)

Node ${env.node} · ${env.cpu} · ${env.os} · commit ${env.commit} · load average before ${loadBefore}, after ${loadAfter}

Command: \`node bench/service-overhead.mjs ${rounds} ${seconds} ${connections}\`. Core 0: the reference
service with telemetry on (a child with IPC, one sample a second sent; ${on.samples} sent), the same
service with \`LOADLAB_TELEMETRY=off\`, and a bare \`node:http\` server answering the same
${Buffer.byteLength(body)}-byte JSON body; core 1: one \`wrk -t1 -c${connections}\` per server, and the simulated
database. Each pair ran at once; each server counted its own answers over the same ${rows[0]?.windowS ?? seconds - 2} s
window (1 s after the start to 1 s before the end).

| round | telemetry | service /s | bare /s | ratio |
| ----: | --------- | ---------: | ------: | ----: |
${rows.map((r) => `| ${r.round} | ${r.variant} | ${r.service.toFixed(0)} | ${r.bare.toFixed(0)} | ${r.ratio.toFixed(3)} |`).join('\n')}

- telemetry on: median ratio **${sOn.median.toFixed(3)}** (range ${sOn.min.toFixed(3)}–${sOn.max.toFixed(3)}, n = ${sOn.n})
- telemetry off: median ratio **${sOff.median.toFixed(3)}** (range ${sOff.min.toFixed(3)}–${sOff.max.toFixed(3)}, n = ${sOff.n})
`;
console.log(md);
