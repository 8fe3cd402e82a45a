// loadlab's load engines against their peers, counted where it matters: at the server.
//   1. alone: nginx (one worker; master and worker pinned to core 0) driven by wrk, autocannon
//      and loadlab's closed engine in turn (each pinned to core 1, 50 connections), rounds
//      interleaved; then loadlab's open engine at rising shares of the closed engine's rate,
//      until it can no longer keep its schedule;
//   2. duet: two such nginx instances on core 0, two generators on core 1 at the same time, each
//      against its own nginx; both see the same host noise, so their ratio is the figure that travels;
//   3. truth: a Node target answering after a fixed 4 ms timer (pinned to core 0), driven by each
//      generator with 10 connections, and by the open engine at 500 requests/s.
// Throughput is counted from nginx's access log (one `$msec` line per request, one nginx per
// generator) over the whole seconds in which the generator(s) had traffic, first and last partial
// seconds trimmed (a duet: only the seconds in which both had); each tool's own count is shown
// beside it. Every generator runs under /usr/bin/time for its CPU and max RSS.
// Writes bench/results/load-generators.md (only when every section ran).
// Run: npm run build && node bench/load-generators.mjs [seconds] [rounds] [sections=alone,open,duet,truth]
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { compareOverCommonSeconds, cpuBetween } from './lib/server-counts.mjs';
import {
  childrenOf,
  cpuSecondsOf,
  environment,
  startNginx,
  startNodeTarget,
  writeMarkdown,
} from './lib/targets.mjs';

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 2);
const allSections = ['alone', 'open', 'duet', 'truth'];
const sections = (process.argv[4] ?? allSections.join(',')).split(',');
const genCpu = '1';
const targetCpu = 0;
/** Generators in a duet run this much longer than loadlab's phase, so loadlab's start-up is covered. */
const duetSlackS = 2;

/**
 * Runs a command pinned to the generator core under GNU time; returns stdout, CPU % and max RSS
 * over its whole run, and `cpu`: samples of [epoch ms, CPU seconds so far] of the generator
 * process (all its threads) every 100 ms, to read its CPU over any stretch of the run.
 */
async function timed(cmd, args) {
  const pending = run('/usr/bin/time', ['-f', 'TIME %e %U %S %M', 'taskset', '-c', genCpu, cmd, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const cpu = [];
  let pid;
  const sampler = setInterval(() => {
    // time's one child is taskset, which execs the generator in place: same pid.
    pid ??= childrenOf(pending.child.pid)[0];
    if (pid === undefined) return;
    try {
      cpu.push([Date.now(), cpuSecondsOf(pid)]);
    } catch {
      // the generator has exited: its last sample stands
    }
  }, 100);
  let out;
  try {
    out = await pending;
  } finally {
    clearInterval(sampler);
  }
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(out.stderr);
  const [wall, user, sys, rssKb] = m.slice(1).map(Number);
  return { stdout: out.stdout, cpuPct: ((user + sys) / wall) * 100, rssMb: rssKb / 1024, cpu };
}

async function wrk(url, connections, durS) {
  const r = await timed('wrk', ['-t1', `-c${connections}`, `-d${durS}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)[1]);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout);
  if (non2xx !== null) throw new Error(`wrk got ${non2xx[1]} answers that are not 2xx/3xx from ${url}`);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
  };
  return { rps, p50: pct(50), p99: pct(99), cpuPct: r.cpuPct, rssMb: r.rssMb, cpu: r.cpu };
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
    cpu: r.cpu,
  };
}

async function loadlab(url, load) {
  const r = await timed(process.execPath, ['bench/lib/loadlab-run.mjs', JSON.stringify({ url, load })]);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  // A target answering errors (e.g. nginx refusing to read its files) would make every figure moot.
  if (j.errors > j.responses * 0.01) throw new Error(`loadlab counted ${j.errors} errors against ${url}`);
  return { ...j, cpuPct: r.cpuPct, rssMb: r.rssMb, cpu: r.cpu };
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

const drive = {
  wrk: (u, durS) => wrk(u, 50, durS),
  autocannon: (u, durS) => autocannon(u, 50, durS),
  // loadlab-run counts its own seconds 1..durS+1 of a (durS + 1) s phase: durS seconds.
  'loadlab closed': (u, durS) => loadlab(u, closedLoad(50, durS)),
};

/**
 * Runs `work(url)` against a fresh logged nginx on the target core; returns what `work` returned,
 * the server's count (`served`: requests/s over the whole seconds with traffic) and nginx's CPU %.
 */
async function counted(work) {
  const nginx = await startNginx({ cpu: targetCpu, accessLog: true });
  const t0 = performance.now();
  const c0 = nginx.workerCpuSeconds();
  let result;
  let nginxCpuPct;
  let log;
  try {
    result = await work(nginx.url);
    nginxCpuPct = ((nginx.workerCpuSeconds() - c0) / ((performance.now() - t0) / 1000)) * 100;
  } finally {
    log = await nginx.close();
  }
  const own = compareOverCommonSeconds(log);
  return {
    ...result,
    served: own.rates[0],
    servedSeconds: own.seconds,
    usPerServed: usPerRequest(result.cpu, own, 0),
    nginxCpuPct,
  };
}

/** Two generators at once, each against its own logged nginx; server counts over the common seconds. */
async function duet(a, b, durS) {
  const [na, nb] = [
    await startNginx({ cpu: targetCpu, accessLog: true }),
    await startNginx({ cpu: targetCpu, accessLog: true }),
  ];
  const t0 = performance.now();
  const c0 = na.workerCpuSeconds() + nb.workerCpuSeconds();
  let ra;
  let rb;
  let nginxCpuPct;
  let la;
  let lb;
  try {
    // loadlab's phase is durS + 1 s after its start-up; the peers run durS + slack to cover it.
    const dur = (name) => (name.startsWith('loadlab') ? durS : durS + duetSlackS);
    [ra, rb] = await Promise.all([drive[a](na.url, dur(a)), drive[b](nb.url, dur(b))]);
    const wallS = (performance.now() - t0) / 1000;
    nginxCpuPct = ((na.workerCpuSeconds() + nb.workerCpuSeconds() - c0) / wallS) * 100;
  } finally {
    la = await na.close();
    lb = await nb.close();
  }
  const common = compareOverCommonSeconds(la, lb);
  return {
    a,
    b,
    ra,
    rb,
    common,
    usA: usPerRequest(ra.cpu, common, 0),
    usB: usPerRequest(rb.cpu, common, 1),
    nginxCpuPct,
  };
}

/** The generator's CPU µs per request the server counted, over the counted seconds of `window`. */
function usPerRequest(cpu, window, i) {
  const cpuS = cpuBetween(cpu, window.fromMs, window.toMs);
  return (cpuS * 1e6) / (window.rates[i] * window.seconds);
}

const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)}`;

const env = await environment();
console.log(JSON.stringify(env));
const lines = [];
const loadBefore = os.loadavg()[0];

lines.push('### Setup');
lines.push('');
lines.push(
  `- Target: nginx 1 worker, master and worker started under \`taskset -c ${targetCpu}\` (and \`worker_cpu_affinity\`), serving an 11-byte file, keep-alive, access log of one \`$msec\` line per request (buffered 256 KB). A fresh nginx for every run; two of them, both on core ${targetCpu}, in a duet.`,
);
lines.push(
  `- Generators, all under \`/usr/bin/time taskset -c ${genCpu}\`: \`wrk -t1 -c50\` (one thread); \`node node_modules/autocannon/autocannon.js -c 50\`; loadlab \`node bench/lib/loadlab-run.mjs\` (\`runLoad\` as \`loadlab run\` does: the orchestrator thread and 1 worker thread, with Node's helper threads, all on core ${genCpu}; 50 connections).`,
);
lines.push(
  '- The bench script itself is not pinned and sleeps while the generators run. "served/s" is what nginx logged, per whole second in which the generator had traffic (a duet: in which both had), first and last partial seconds trimmed; "own/s" is what the tool itself reported over its own run (wrk and autocannon: their whole run; loadlab: its seconds 1 to the end of its phase).',
);

// 1. Alone.
const alone = { wrk: [], autocannon: [], 'loadlab closed': [] };
if (sections.includes('alone') || sections.includes('open')) {
  for (let i = 0; i < rounds; i++) {
    for (const name of Object.keys(alone)) {
      if (name !== 'loadlab closed' && !sections.includes('alone')) continue;
      alone[name].push(await counted((u) => drive[name](u, seconds)));
    }
    console.log(
      'alone round',
      i + 1,
      JSON.stringify(
        Object.fromEntries(
          Object.entries(alone)
            .filter(([, v]) => v.length > 0)
            .map(([k, v]) => [k, { served: Math.round(v.at(-1).served), own: Math.round(v.at(-1).rps) }]),
        ),
      ),
    );
  }
  if (sections.includes('alone')) {
    lines.push('');
    lines.push(
      `### Alone: one generator on core ${genCpu} against nginx on core ${targetCpu}, 50 connections`,
    );
    lines.push('');
    lines.push(`${rounds} rounds of ${seconds} s, interleaved; medians (all rounds in brackets).`);
    lines.push('');
    lines.push(
      '| generator | served/s | own/s | generator CPU µs per served request | generator CPU % (whole run) | nginx CPU % | max RSS MB |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const name of Object.keys(alone)) {
      const rs = alone[name];
      lines.push(
        `| ${name} | ${fmt(median(rs.map((r) => r.served)))} (${rs.map((r) => fmt(r.served)).join(', ')}) | ${fmt(median(rs.map((r) => r.rps)))} | ${fmt(median(rs.map((r) => r.usPerServed)), 1)} | ${fmt(median(rs.map((r) => r.cpuPct)))} | ${fmt(median(rs.map((r) => r.nginxCpuPct)))} | ${fmt(median(rs.map((r) => r.rssMb)))} |`,
      );
    }
  }
}

// 1b. The open engine at rising shares of the closed engine's served rate.
if (sections.includes('open')) {
  const closedServed = median(alone['loadlab closed'].map((r) => r.served));
  const open = [];
  for (const share of [0.8, 0.9, 1.0, 1.1, 1.2, 1.3]) {
    const rate = Math.round((closedServed * share) / 100) * 100;
    const durS = Math.min(seconds, 5);
    const r = await counted((u) => loadlab(u, { ...openLoad(rate, durS), maxInFlight: 200 }));
    const kept = r.sent >= r.planned * 0.99 && r.dropped === 0 && r.served >= rate * 0.99;
    open.push({ share, rate, ...r, kept });
    console.log('open', rate, Math.round(r.served), kept ? 'kept' : 'fell behind');
    if (!kept) break;
  }
  const best = open.filter((r) => r.kept).at(-1);
  lines.push('');
  lines.push(
    `### Open model: the highest rate kept, against the closed model's ${fmt(closedServed)} served/s (median above)`,
  );
  lines.push('');
  lines.push(
    `Kept: ≥ 99% of the plan sent, nothing dropped (max in flight 200), and ≥ 99% of the rate served. Each rate ${Math.min(seconds, 5)} s.`,
  );
  lines.push('');
  lines.push('| planned/s | share of closed | served/s | own/s | dropped | lag p99 ms | CPU % | kept |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of open) {
    lines.push(
      `| ${r.rate} | ${fmt(r.share, 2)} | ${fmt(r.served)} | ${fmt(r.rps)} | ${r.dropped} | ${fmt(r.lagP99, 2)} | ${fmt(r.cpuPct)} | ${r.kept ? 'yes' : 'no'} |`,
    );
  }
  lines.push('');
  lines.push(
    best === undefined
      ? '**Open ÷ closed: no rate kept.**'
      : `**Open ÷ closed (served): ${fmt(best.served / closedServed, 2)}** (${fmt(best.served)} at ${best.rate}/s planned).`,
  );
}

// 2. Duet.
if (sections.includes('duet')) {
  const pairs = [
    ['loadlab closed', 'wrk'],
    ['loadlab closed', 'autocannon'],
  ];
  const ab = [];
  for (const [a, b] of pairs) {
    for (let i = 0; i < rounds; i++) {
      const d = await duet(a, b, seconds);
      ab.push(d);
      console.log(
        'duet',
        a,
        Math.round(d.common.rates[0]),
        b,
        Math.round(d.common.rates[1]),
        'served ratio',
        d.common.ratio.toFixed(2),
        'own ratio',
        (d.ra.rps / d.rb.rps).toFixed(2),
        'seconds',
        d.common.seconds,
        'µs/served',
        d.usA.toFixed(1),
        d.usB.toFixed(1),
      );
    }
  }
  lines.push('');
  lines.push(
    `### Duet: both generators on core ${genCpu} at once, each against its own nginx on core ${targetCpu}`,
  );
  lines.push('');
  lines.push(
    `loadlab's phase ${seconds + 1} s; the peer runs ${seconds + duetSlackS} s, started at the same moment, so it covers loadlab's start-up. Served: over the whole seconds in which both nginx logged traffic. nginx CPU: both workers together, % of one core.`,
  );
  lines.push('');
  lines.push(
    "CPU µs per served request: each generator process's CPU time (user + system, every thread; sampled from /proc every 100 ms) over the same common seconds, divided by what its nginx served in them; B µs ÷ A µs is what A would make per core relative to B if each had the core to itself.",
  );
  lines.push('');
  lines.push(
    '| A | B | common s | A served/s | B served/s | **A / B served** | A own/s | B own/s | A / B own | A CPU µs/req | B CPU µs/req | B µs ÷ A µs | nginx CPU % |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { a, b, ra, rb, common, usA, usB, nginxCpuPct } of ab) {
    lines.push(
      `| ${a} | ${b} | ${common.seconds} | ${fmt(common.rates[0])} | ${fmt(common.rates[1])} | **${fmt(common.ratio, 2)}** | ${fmt(ra.rps)} | ${fmt(rb.rps)} | ${fmt(ra.rps / rb.rps, 2)} | ${fmt(usA, 1)} | ${fmt(usB, 1)} | ${fmt(usB / usA, 2)} | ${fmt(nginxCpuPct)} |`,
    );
  }
  lines.push('');
  for (const [a, b] of pairs) {
    const ds = ab.filter((d) => d.a === a && d.b === b);
    const rs = ds.map((d) => d.common.ratio);
    const cs = ds.map((d) => d.usB / d.usA);
    lines.push(
      `- ${a} ÷ ${b}: served median **${fmt(median(rs), 2)}** (${range(rs)}); CPU per request, B ÷ A, median ${fmt(median(cs), 2)} (${range(cs)}); ${rs.length} rounds.`,
    );
  }
}

// 3. Truth against a 4 ms target.
if (sections.includes('truth')) {
  const slow = await startNodeTarget({ delayMs: 4, cpu: targetCpu });
  const truth = [];
  try {
    const durS = Math.min(seconds, 5);
    truth.push({ name: 'wrk -c10', ...(await wrk(slow.url, 10, durS)) });
    truth.push({ name: 'autocannon -c10', ...(await autocannon(slow.url, 10, durS)) });
    truth.push({
      name: 'loadlab closed, 10 connections',
      ...(await loadlab(slow.url, closedLoad(10, durS))),
    });
    truth.push({
      name: 'loadlab open, 500/s (from due time)',
      ...(await loadlab(slow.url, openLoad(500, durS, '/'))),
    });
  } finally {
    await slow.close();
  }
  lines.push('');
  lines.push(`### Truth: a Node target answering after a fixed 4 ms timer (core ${targetCpu})`);
  lines.push('');
  lines.push(
    'Its own handler time is p50 4.24–4.50 ms, p99 5.2–5.7 ms (docs/measured-facts.md). wrk prints its own corrected view.',
  );
  lines.push('');
  lines.push('| generator | own/s | reported p50 ms | reported p99 ms | CPU % | max RSS MB |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const r of truth) {
    lines.push(
      `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.cpuPct)} | ${fmt(r.rssMb)} |`,
    );
  }
}

const loadAfter = os.loadavg()[0];
const header = [
  '# load-generators',
  '',
  `Node ${env.node}; ${env.cpu}; ${env.os}; commit ${env.commit}; ${new Date().toISOString()}.`,
  `Machine load (1-min loadavg) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${os.cpus().length} cores.`,
  '',
  'Reproduce: `npm run build && node bench/load-generators.mjs ' + `${seconds} ${rounds}` + '`',
  '',
];
const text = [...header, ...lines, ''].join('\n');
if (allSections.every((s) => sections.includes(s)))
  await writeMarkdown('bench/results/load-generators.md', text);
console.log(text);
