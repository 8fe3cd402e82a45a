// Two builds of loadlab's load engine against each other. First the response framer alone (the
// engine's per-response hot path): each build's ResponseFramer frames the same nginx-like
// Content-Length response and a chunked one, 300,000 times a turn, turns interleaved, on core 1;
// medians of 12 turns. Then the closed engine at the same time (a duet): each round
// runs build A and build B on the generator core (1) at once, each against its own nginx worker
// on core 0, 50 connections each, and takes B's responses/s over A's; the nginx each build gets
// alternates between rounds. Control rounds run A against A the same way, so the ratio's noise
// is measured in the same sitting. Both see the same host noise, so the ratio travels even on a
// busy machine where absolute rates do not.
// Each build folder must hold dist/ (npm run build) and bench/lib/loadlab-run.mjs.
// Writes bench/results/engine-ab.md.
// Run: node bench/engine-ab.mjs <build A folder> <build B folder> [seconds] [rounds]
import { execFile } from 'node:child_process';
import os from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { environment, startNginx, writeMarkdown } from './lib/targets.mjs';

const run = promisify(execFile);
const [dirA, dirB] = process.argv.slice(2, 4).map((d) => resolve(d));
const seconds = Number(process.argv[4] ?? 5);
const rounds = Number(process.argv[5] ?? 6);
if (dirA === undefined || dirB === undefined) {
  throw new Error('usage: node bench/engine-ab.mjs <build A folder> <build B folder> [seconds] [rounds]');
}

/**
 * Runs one build's closed engine pinned to core 1 under GNU time; returns responses/s over the
 * measured seconds and the process's CPU time (user + system) per response over the whole run, µs.
 */
async function closed(dir, url) {
  const load = {
    model: 'closed',
    phases: [{ duration: seconds + 1, connections: 50 }],
    requests: [{ path: '/index.html' }],
  };
  const { stdout, stderr } = await run(
    '/usr/bin/time',
    [
      '-f',
      'TIME %U %S',
      'taskset',
      '-c',
      '1',
      process.execPath,
      `${dir}/bench/lib/loadlab-run.mjs`,
      JSON.stringify({ url, load }),
    ],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
  const r = JSON.parse(stdout.trim().split('\n').pop());
  const [user, sys] = /TIME ([\d.]+) ([\d.]+)/.exec(stderr).slice(1).map(Number);
  return { rps: r.rps, cpuUs: ((user + sys) * 1e6) / Math.max(1, r.sent) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = await environment();
console.log(JSON.stringify(env));
const loadBefore = os.loadavg()[0];

// 1. The framer alone, in a child pinned to core 1 (both builds loaded in it, turns interleaved).
const framerScript = `
const [dirA, dirB] = process.argv.slice(1);
const { ResponseFramer: A } = await import(dirA + '/dist/src/load/response-framer.js');
const { ResponseFramer: B } = await import(dirB + '/dist/src/load/response-framer.js');
const head = 'HTTP/1.1 200 OK\\r\\nServer: nginx/1.22.1\\r\\nDate: Wed, 02 Dec 2026 03:30:00 GMT\\r\\nContent-Type: text/html\\r\\nContent-Length: 11\\r\\nLast-Modified: Wed, 02 Dec 2026 03:00:00 GMT\\r\\nConnection: keep-alive\\r\\nETag: "692e5a00-b"\\r\\nAccept-Ranges: bytes\\r\\n\\r\\nhello world';
const chunked = 'HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ndate: x\\r\\nconnection: keep-alive\\r\\ntransfer-encoding: chunked\\r\\n\\r\\nb\\r\\nhello world\\r\\n0\\r\\n\\r\\n';
const no = () => false;
function turn(Framer, buf, n) {
  let count = 0;
  const f = new Framer({ onResponse: () => { count++; } });
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f.feed(buf, no);
  const ns = Number(process.hrtime.bigint() - t) / n;
  if (count !== n) throw new Error('framed ' + count + ' of ' + n);
  return ns;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const out = {};
for (const [name, text] of [['content-length', head], ['chunked', chunked]]) {
  const buf = Buffer.from(text, 'latin1');
  const a = [], b = [];
  for (let r = 0; r < 12; r++) { a.push(turn(A, buf, 300000)); b.push(turn(B, buf, 300000)); }
  out[name] = { a: median(a), b: median(b) };
}
console.log(JSON.stringify(out));
`;
const framer = JSON.parse(
  (
    await run(
      'taskset',
      ['-c', '1', process.execPath, '--input-type=module', '-e', framerScript, dirA, dirB],
      {
        maxBuffer: 1024 * 1024,
      },
    )
  ).stdout,
);
console.log('framer', framer);
const [n1, n2] = [await startNginx({ cpu: 0 }), await startNginx({ cpu: 0 })];
const rows = [];
try {
  for (let i = 0; i < rounds; i++) {
    const [u1, u2] = i % 2 === 0 ? [n1.url, n2.url] : [n2.url, n1.url];
    const [a, b] = await Promise.all([closed(dirA, u1), closed(dirB, u2)]);
    rows.push({ pair: 'A vs B', a, b, ratio: b.rps / a.rps, cpu: b.cpuUs / a.cpuUs });
    const [a1, a2] = await Promise.all([closed(dirA, u1), closed(dirA, u2)]);
    rows.push({ pair: 'A vs A (control)', a: a1, b: a2, ratio: a2.rps / a1.rps, cpu: a2.cpuUs / a1.cpuUs });
    console.log(rows.at(-2), rows.at(-1));
  }
} finally {
  await n1.close();
  await n2.close();
}
const loadAfter = os.loadavg()[0];
const ratios = (pair) => rows.filter((r) => r.pair === pair).map((r) => r.ratio);
const ab = ratios('A vs B');
const control = ratios('A vs A (control)');
const cpuRatios = (pair) => rows.filter((r) => r.pair === pair).map((r) => r.cpu);
const fmt = (x) => x.toFixed(3);
const text = [
  '# engine-ab',
  '',
  `Node ${env.node}; ${env.cpu}; ${env.os}; commit ${env.commit}; ${new Date().toISOString()}.`,
  `Machine load (1-min loadavg) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${os.cpus().length} cores.`,
  '',
  `A: \`${dirA}\`; B: \`${dirB}\`.`,
  '',
  `Reproduce: \`node bench/engine-ab.mjs <A> <B> ${seconds} ${rounds}\``,
  '',
  '### The response framer alone (ns per response, medians of 12 interleaved turns of 300,000)',
  '',
  '| response | A ns | B ns | B / A |',
  '|---|---:|---:|---:|',
  ...Object.entries(framer).map(
    ([k, v]) => `| ${k} | ${v.a.toFixed(0)} | ${v.b.toFixed(0)} | ${fmt(v.b / v.a)} |`,
  ),
  '',
  '### Closed engine duet',
  '',
  `${rounds} rounds of ${seconds} s; closed engine, 50 connections, both on core 1 at once, each against its own nginx worker on core 0.`,
  '',
  'CPU µs per request: the process’s user + system time over the requests it sent, start-up included.',
  '',
  '| pair | A responses/s | B responses/s | B / A | A CPU µs/request | B CPU µs/request | B / A |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.pair} | ${r.a.rps.toFixed(0)} | ${r.b.rps.toFixed(0)} | ${fmt(r.ratio)} | ${r.a.cpuUs.toFixed(1)} | ${r.b.cpuUs.toFixed(1)} | ${fmt(r.cpu)} |`,
  ),
  '',
  `B / A: median ${fmt(median(ab))} (range ${fmt(Math.min(...ab))}–${fmt(Math.max(...ab))}, n = ${ab.length}); ` +
    `control A / A: median ${fmt(median(control))} (range ${fmt(Math.min(...control))}–${fmt(Math.max(...control))}, n = ${control.length}).`,
  `CPU per request B / A: median ${fmt(median(cpuRatios('A vs B')))} (range ${fmt(Math.min(...cpuRatios('A vs B')))}–${fmt(Math.max(...cpuRatios('A vs B')))}); ` +
    `control: median ${fmt(median(cpuRatios('A vs A (control)')))} (range ${fmt(Math.min(...cpuRatios('A vs A (control)')))}–${fmt(Math.max(...cpuRatios('A vs A (control)')))}).`,
  '',
].join('\n');
await writeMarkdown('bench/results/engine-ab.md', text);
console.log(text);
