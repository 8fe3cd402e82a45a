// loadlab's load engines against their peers, in one run, on one generator core:
//   1. throughput: nginx (one worker, pinned to core 0) driven by wrk, autocannon and loadlab's
//      closed engine (each pinned to core 1, 50 connections), rounds interleaved; then loadlab's
//      open engine at rising rates until it can no longer keep its schedule;
//   2. truth: a Node target answering after a fixed 4 ms timer (pinned to core 0), driven by each
//      generator with 10 connections, and by the open engine at 500 requests/s.
// Every generator runs under /usr/bin/time for its CPU and max RSS. Writes
// bench/results/load-generators.md. Run: npm run build && node bench/load-generators.mjs [seconds] [rounds]
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { environment, startNginx, startNodeTarget, writeMarkdown } from './lib/targets.mjs';

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 2);
const genCpu = '1';

/** Runs a command pinned to the generator core under GNU time; returns stdout and CPU / RSS. */
async function timed(cmd, args) {
  const { stdout, stderr } = await run(
    '/usr/bin/time',
    ['-f', 'TIME %e %U %S %M', 'taskset', '-c', genCpu, cmd, ...args],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  const [wall, user, sys, rssKb] = m.slice(1).map(Number);
  return { stdout, cpuPct: ((user + sys) / wall) * 100, rssMb: rssKb / 1024 };
}

async function wrk(url, connections, durS) {
  const r = await timed('wrk', ['-t1', `-c${connections}`, `-d${durS}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)[1]);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
  };
  return { rps, p50: pct(50), p99: pct(99), cpuPct: r.cpuPct, rssMb: r.rssMb };
}

async function autocannon(url, connections, durS) {
  const r = await timed(process.execPath, [
    'node_modules/autocannon/autocannon.js',
    '-c',
    String(connections),
    '-d',
    String(durS),
    '-j',
    url,
  ]);
  const j = JSON.parse(r.stdout);
  return {
    rps: j.requests.total / durS,
    p50: j.latency.p50,
    p99: j.latency.p99,
    cpuPct: r.cpuPct,
    rssMb: r.rssMb,
  };
}

async function loadlab(url, load) {
  const r = await timed(process.execPath, ['bench/lib/loadlab-run.mjs', JSON.stringify({ url, load })]);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...j, cpuPct: r.cpuPct, rssMb: r.rssMb };
}

const closedLoad = (connections, durS) => ({
  model: 'closed',
  phases: [{ duration: durS + 1, connections }],
  requests: [{ path: '/index.html' }],
});

const openLoad = (rate, durS, path = '/index.html') => ({
  model: 'open',
  phases: [{ duration: durS + 1, rate }],
  requests: [{ path }],
});

const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const env = await environment();
console.log(JSON.stringify(env));
const lines = [];
const loadBefore = os.loadavg()[0];

// 1. Throughput against nginx.
const nginx = await startNginx({ cpu: 0 });
const results = { wrk: [], autocannon: [], 'loadlab closed': [] };
try {
  for (let i = 0; i < rounds; i++) {
    results.wrk.push(await wrk(nginx.url, 50, seconds));
    results.autocannon.push(await autocannon(nginx.url, 50, seconds));
    results['loadlab closed'].push(await loadlab(nginx.url, closedLoad(50, seconds)));
    console.log(
      'round',
      i + 1,
      JSON.stringify(
        Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v.at(-1).rps)])),
      ),
    );
  }
  const acMedian = median(results.autocannon.map((r) => r.rps));
  // The open engine: rising rates, each kept when it sends ≥ 99% of its plan with nothing dropped.
  const open = [];
  for (const share of [0.5, 0.7, 0.8, 0.9, 1.0, 1.1]) {
    const rate = Math.round((acMedian * share) / 1000) * 1000;
    const r = await loadlab(nginx.url, { ...openLoad(rate, Math.min(seconds, 5)), maxInFlight: 200 });
    const kept = r.sent >= r.planned * 0.99 && r.dropped === 0 && r.rps >= rate * 0.99;
    open.push({ rate, ...r, kept });
    console.log('open', rate, Math.round(r.rps), kept ? 'kept' : 'fell behind');
    if (!kept) break;
  }
  results.open = open;
} finally {
  await nginx.close();
}

// 1b. Simultaneous A/B: two nginx workers on core 0, two generators on core 1 at the same time,
// so both see the same host noise; the ratio is the figure that travels.
const pairs = [
  ['loadlab closed', 'autocannon'],
  ['loadlab closed', 'wrk'],
];
const drive = {
  wrk: (u) => wrk(u, 50, seconds),
  autocannon: (u) => autocannon(u, 50, seconds),
  'loadlab closed': (u) => loadlab(u, closedLoad(50, seconds)),
};
const ab = [];
const [nginxA, nginxB] = [await startNginx({ cpu: 0 }), await startNginx({ cpu: 0 })];
try {
  for (const [a, b] of pairs) {
    for (let i = 0; i < rounds; i++) {
      const [ra, rb] = await Promise.all([drive[a](nginxA.url), drive[b](nginxB.url)]);
      ab.push({ a, b, ra, rb });
      console.log('A/B', a, Math.round(ra.rps), b, Math.round(rb.rps));
    }
  }
} finally {
  await nginxA.close();
  await nginxB.close();
}

lines.push('### Throughput: nginx (1 worker, core 0), generator pinned to core 1, 50 connections');
lines.push('');
lines.push(`${rounds} rounds of ${seconds} s, interleaved; medians (all rounds in brackets).`);
lines.push('');
lines.push('| generator | responses/s | generator CPU % | max RSS MB |');
lines.push('|---|---:|---:|---:|');
for (const name of ['wrk', 'autocannon', 'loadlab closed']) {
  const rs = results[name];
  lines.push(
    `| ${name} | ${fmt(median(rs.map((r) => r.rps)))} (${rs.map((r) => fmt(r.rps)).join(', ')}) | ${fmt(median(rs.map((r) => r.cpuPct)))} | ${fmt(median(rs.map((r) => r.rssMb)))} |`,
  );
}
const keptOpen = results.open.filter((r) => r.kept);
const bestOpen = keptOpen.at(-1);
lines.push(
  `| loadlab open, highest rate kept | ${bestOpen ? fmt(bestOpen.rps) : '–'} (at ${bestOpen ? bestOpen.rate : '–'}/s planned) | ${bestOpen ? fmt(bestOpen.cpuPct) : '–'} | ${bestOpen ? fmt(bestOpen.rssMb) : '–'} |`,
);
lines.push('');
lines.push('Open engine rates tried (kept: ≥ 99% of plan sent and answered, nothing dropped):');
lines.push('');
lines.push('| planned/s | responses/s | dropped | lag p99 ms | CPU % | kept |');
lines.push('|---:|---:|---:|---:|---:|---|');
for (const r of results.open) {
  lines.push(
    `| ${r.rate} | ${fmt(r.rps)} | ${r.dropped} | ${fmt(r.lagP99, 2)} | ${fmt(r.cpuPct)} | ${r.kept ? 'yes' : 'no'} |`,
  );
}

lines.push('');
lines.push(
  '### Simultaneous A/B: both generators on core 1 at once, each against its own nginx worker on core 0',
);
lines.push('');
lines.push('| A | B | A responses/s | B responses/s | A / B |');
lines.push('|---|---|---:|---:|---:|');
for (const { a, b, ra, rb } of ab) {
  lines.push(`| ${a} | ${b} | ${fmt(ra.rps)} | ${fmt(rb.rps)} | ${fmt(ra.rps / rb.rps, 2)} |`);
}

// 2. Truth against a 4 ms target.
const slow = await startNodeTarget({ delayMs: 4, cpu: 0 });
const truth = [];
try {
  const durS = Math.min(seconds, 5);
  truth.push({ name: 'wrk -c10', ...(await wrk(slow.url, 10, durS)) });
  truth.push({ name: 'autocannon -c10', ...(await autocannon(slow.url, 10, durS)) });
  truth.push({ name: 'loadlab closed, 10 connections', ...(await loadlab(slow.url, closedLoad(10, durS))) });
  truth.push({
    name: 'loadlab open, 500/s (from due time)',
    ...(await loadlab(slow.url, openLoad(500, durS, '/'))),
  });
} finally {
  await slow.close();
}
lines.push('');
lines.push('### Truth: a Node target answering after a fixed 4 ms timer (core 0)');
lines.push('');
lines.push(
  'Its own handler time is p50 4.24–4.50 ms, p99 5.2–5.7 ms (docs/measured-facts.md). wrk prints its own corrected view.',
);
lines.push('');
lines.push('| generator | responses/s | reported p50 ms | reported p99 ms | CPU % | max RSS MB |');
lines.push('|---|---:|---:|---:|---:|---:|');
for (const r of truth) {
  lines.push(
    `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.cpuPct)} | ${fmt(r.rssMb)} |`,
  );
}
const loadAfter = os.loadavg()[0];
const header = [
  '# load-generators',
  '',
  `Node ${env.node}; ${env.cpu}; ${env.os}; commit ${env.commit}; ${new Date().toISOString()}.`,
  `Machine load (1-min loadavg) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${os.cpus().length} cores:` +
    ' other work was running, so absolute figures are low; compare generators within the run.',
  '',
  'Reproduce: `npm run build && node bench/load-generators.mjs ' + `${seconds} ${rounds}` + '`',
  '',
];
const text = [...header, ...lines, ''].join('\n');
await writeMarkdown('bench/results/load-generators.md', text);
console.log(text);
