// Which way of timing GC pauses a saturated Node server can afford: a PerformanceObserver on
// 'gc' entries (what prom-client's collectDefaultMetrics installs), or v8's GCProfiler stopped
// and restarted once a second; against no GC timing at all. SIMULTANEOUS A/B (docs/measured-facts.md): two
// plain Node http servers that allocate per request (JSON of 40 objects) pinned to core 0, each
// driven by its own autocannon pinned to core 1; a control pair (none vs none) in every round.
//
//   round: [none-1 vs observer] → [none-2 vs profiler] → [none-1 vs none-2]   (first starter alternates)
//
// Run: node bench/telemetry-gc.mjs [rounds=5] [seconds=6] [connections=16]
// Writes bench/results/telemetry-gc.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { environment } from './lib/targets.mjs';

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 6);
const connections = Number(process.argv[4] ?? 16);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const autocannonBin = join(dirname(createRequire(import.meta.url).resolve('autocannon')), 'autocannon.js');

const serverScript = `
const http = require('node:http');
const { PerformanceObserver } = require('node:perf_hooks');
const v8 = require('node:v8');
const mode = process.argv[1];
let gcs = 0;
let pauseMs = 0;
if (mode === 'observer') {
  const byKind = new Map();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs++;
      pauseMs += e.duration;
      byKind.set(e.detail.kind, (byKind.get(e.detail.kind) || 0) + e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
}
if (mode === 'profiler') {
  let profiler = new v8.GCProfiler();
  profiler.start();
  setInterval(() => {
    const data = profiler.stop();
    profiler = new v8.GCProfiler();
    profiler.start();
    for (const s of data.statistics) { gcs++; pauseMs += s.cost / 1000; }
  }, 1000).unref();
}
const server = http.createServer((req, res) => {
  const items = [];
  for (let i = 0; i < 40; i++) items.push({ id: i, name: 'user-' + i, tags: ['a', 'b'] });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(items));
});
server.keepAliveTimeout = 60000;
process.on('message', () => process.send({ gcs, pauseMs }));
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ url: 'http://127.0.0.1:' + server.address().port }));
`;

async function startServer(mode) {
  const child = spawn('taskset', ['-c', '0', process.execPath, '-e', serverScript, mode], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [message] = await once(child, 'message');
  return {
    mode,
    url: message.url,
    async stats() {
      child.send('stats');
      const [m] = await once(child, 'message');
      return m;
    },
    async close() {
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function drive(url, durationS) {
  const child = spawn(
    'taskset',
    [
      '-c',
      '1',
      process.execPath,
      autocannonBin,
      '-c',
      String(connections),
      '-d',
      String(durationS),
      '-j',
      url,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  await once(child, 'exit');
  return JSON.parse(out).requests.total / durationS;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const env = await environment();
const loadBefore = os.loadavg();
console.log(env);
const none1 = await startServer('none');
const none2 = await startServer('none');
const observer = await startServer('observer');
const profiler = await startServer('profiler');
const servers = [none1, none2, observer, profiler];
try {
  await Promise.all([drive(none1.url, 2), drive(observer.url, 2)]);
  await Promise.all([drive(none2.url, 2), drive(profiler.url, 2)]);
  const ratios = { observer: [], profiler: [], control: [] };
  const rows = [];
  for (let i = 0; i < rounds; i++) {
    const flip = i % 2 === 1;
    const pair = async (x, y) =>
      flip
        ? (await Promise.all([drive(y.url, seconds), drive(x.url, seconds)])).reverse()
        : Promise.all([drive(x.url, seconds), drive(y.url, seconds)]);
    for (const [name, base, variant] of [
      ['observer', none1, observer],
      ['profiler', none2, profiler],
      ['control', none1, none2],
    ]) {
      const [b, v] = await pair(base, variant);
      ratios[name].push(v / b);
      rows.push(
        `| ${i + 1} | ${name} | ${v.toFixed(0)} | ${b.toFixed(0)} | ${((v / b - 1) * 100).toFixed(2)}% |`,
      );
      console.log(rows.at(-1));
    }
  }
  const obsStats = await observer.stats();
  const profStats = await profiler.stats();
  const loadAfter = os.loadavg();
  const cost = (name) => ((1 - median(ratios[name])) * 100).toFixed(2);
  const md = `# Timing GC pauses: PerformanceObserver vs GCProfiler

Simultaneous A/B: plain Node http servers answering a 40-object JSON (allocation-heavy) pinned to
core 0, one autocannon each pinned to core 1, ${connections} connections, ${rounds} rounds of ${seconds} s.
"observer": a PerformanceObserver on 'gc' entries (what prom-client's default metrics install);
"profiler": v8.GCProfiler stopped and restarted every second. Both against a server with no GC
timing; "control": two servers with none. Cost = 1 − median(variant/none).

- Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}
- load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}
- GCs seen: observer ${obsStats.gcs} (${obsStats.pauseMs.toFixed(0)} ms of pauses), profiler ${profStats.gcs} (${profStats.pauseMs.toFixed(0)} ms)

| round | variant | variant rps | none rps | variant vs none |
|---|---|---|---|---|
${rows.join('\n')}

| variant | cost (median) |
|---|---|
| PerformanceObserver on gc | ${cost('observer')}% |
| GCProfiler, restarted each second | ${cost('profiler')}% |
| control (none vs none) | ${cost('control')}% |

Reproduce: \`node bench/telemetry-gc.mjs ${rounds} ${seconds} ${connections}\`
`;
  // Formatted as the repository's prettier check expects.
  writeFileSync(
    join(root, 'bench/results/telemetry-gc.md'),
    await prettier.format(md, { parser: 'markdown' }),
  );
  console.log(md);
} finally {
  for (const s of servers) await s.close();
}
