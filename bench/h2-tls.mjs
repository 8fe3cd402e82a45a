// loadlab over HTTP/2 and over TLS against the peers made for each, in one run, each generator
// pinned to core 1 and the target to core 0, rounds interleaved (A B B A ...):
//   1. HTTP/2 over TLS: a Node `http2` secure server answering at once; h2load (nghttp2-client)
//      with 1 connection and 100 streams vs loadlab's closed model over h2 (load.protocol: h2,
//      100 loops as streams on h2.connections: 1);
//   2. HTTP/1.1 over TLS: a Node `https` server answering at once; wrk (1 thread, 50
//      connections) vs loadlab's closed model (50 connections).
// The figure is the ratio loadlab ÷ peer of responses per second (goal for h2: ≥ 0.5x).
// Certificates are made with the openssl CLI. Writes bench/results/h2-tls.md.
// Run: npm run build && node bench/h2-tls.mjs [seconds=10] [rounds=2]
// Needs: apt-get install -y nghttp2-client wrk
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { environment, writeMarkdown } from './lib/targets.mjs';

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 2);
const genCpu = '1';
const targetCpu = '0';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-h2-bench-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    '/CN=localhost',
    '-days',
    '1',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ],
  { stdio: 'ignore' },
);

const serverScript = `
const fs = require('node:fs');
const [kind, cert, key] = process.argv.slice(1);
const tls = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
let server;
if (kind === 'h2') {
  server = require('node:http2').createSecureServer({ ...tls, settings: { maxConcurrentStreams: 256 } });
  server.on('stream', (stream) => { stream.on('error', () => {}); stream.respond({ ':status': 200 }); stream.end('hello world'); });
} else {
  server = require('node:https').createServer(tls, (req, res) => { req.resume(); res.end('hello world'); });
  server.keepAliveTimeout = 120000;
}
server.listen(0, '127.0.0.1', () => console.log('https://127.0.0.1:' + server.address().port + '/'));
`;

async function startTarget(kind) {
  const child = spawn('taskset', ['-c', targetCpu, process.execPath, '-e', serverScript, kind, cert, key], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(child.stdout, 'data');
  return {
    url: line.toString().split('\n')[0].trim(),
    async close() {
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function pinned(cmd, args) {
  const { stdout } = await run('taskset', ['-c', genCpu, cmd, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function h2load(url, durS) {
  // -D: measure for durS seconds; --warm-up-time: 1 s not counted, like loadlab's first second.
  const out = await pinned('h2load', [
    '-c',
    '1',
    '-m',
    '100',
    '-t',
    '1',
    '--warm-up-time=1',
    '-D',
    String(durS),
    url,
  ]);
  const m = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  const failed = Number(/requests: .*?(\d+) failed/.exec(out)?.[1] ?? NaN);
  return { rps: m ? Number(m[1]) : NaN, errors: failed };
}

async function wrk(url, durS) {
  const out = await pinned('wrk', ['-t1', '-c50', `-d${durS}s`, url]);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), errors: 0 };
}

async function loadlab(url, durS, loops, transport) {
  const load = {
    model: 'closed',
    phases: [{ duration: durS + 1, connections: loops }],
    requests: [{ path: '/' }],
  };
  const out = await pinned(process.execPath, [
    'bench/lib/loadlab-run.mjs',
    JSON.stringify({ url, load, transport }),
  ]);
  const j = JSON.parse(out.trim().split('\n').pop());
  return { rps: j.rps, errors: j.errors, p50: j.p50, p99: j.p99 };
}

const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function duel(name, kind, peer, ours) {
  const target = await startTarget(kind);
  const rows = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // A B, then B A: neither always runs on the warmer target.
      const order = round % 2 === 0 ? ['peer', 'loadlab'] : ['loadlab', 'peer'];
      const got = {};
      for (const who of order) got[who] = who === 'peer' ? await peer(target.url) : await ours(target.url);
      rows.push({
        round: round + 1,
        peer: got.peer,
        loadlab: got.loadlab,
        ratio: got.loadlab.rps / got.peer.rps,
      });
      console.error(
        `${name} round ${round + 1}: peer ${fmt(got.peer.rps)}/s, loadlab ${fmt(got.loadlab.rps)}/s, ratio ${fmt(got.loadlab.rps / got.peer.rps, 2)}`,
      );
    }
  } finally {
    await target.close();
  }
  return rows;
}

const env = await environment();
console.error(`environment: ${JSON.stringify(env)}`);
const tls = { caFile: cert };
const h2 = await duel(
  'h2',
  'h2',
  (url) => h2load(url, seconds),
  (url) => loadlab(url, seconds, 100, { protocol: 'h2', tls, h2: { connections: 1 } }),
);
const h1 = await duel(
  'tls-h1',
  'https',
  (url) => wrk(url, seconds),
  (url) => loadlab(url, seconds, 50, { protocol: 'h1', tls }),
);
rmSync(dir, { recursive: true, force: true });

const table = (rows, peer) =>
  [
    `| round | ${peer} req/s | loadlab req/s | loadlab p50 / p99 ms | errors (peer / loadlab) | ratio |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.round} | ${fmt(r.peer.rps)} | ${fmt(r.loadlab.rps)} | ${fmt(r.loadlab.p50, 2)} / ${fmt(r.loadlab.p99, 2)} | ${fmt(r.peer.errors)} / ${fmt(r.loadlab.errors)} | ${fmt(r.ratio, 2)} |`,
    ),
  ].join('\n');

const text = `# HTTP/2 and TLS throughput against h2load and wrk

\`node bench/h2-tls.mjs ${seconds} ${rounds}\`: target on core ${targetCpu}, each generator on core ${genCpu},
${seconds} s per run (loadlab's first second and h2load's warm-up not counted), rounds interleaved.

Environment: Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}, load average ${env.loadavg} at the start.

## HTTP/2 over TLS: h2load -c 1 -m 100 vs loadlab (protocol h2, 100 streams on 1 connection)

${table(h2, 'h2load')}

**Median ratio loadlab ÷ h2load: ${fmt(median(h2.map((r) => r.ratio)), 2)}x** (goal ≥ 0.5x).

## HTTP/1.1 over TLS: wrk -t1 -c50 vs loadlab (50 connections)

${table(h1, 'wrk')}

**Median ratio loadlab ÷ wrk: ${fmt(median(h1.map((r) => r.ratio)), 2)}x.**
`;
await writeMarkdown('bench/results/h2-tls.md', text);
console.log(text);
