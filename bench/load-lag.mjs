// Where the open engine's scheduling lag comes from: runs the open engine in this process (one
// event loop, as in a worker) against a 4 ms Node target with different spin windows, and prints
// lag p50/p99/max, latency p50/p99, the event loop's own delay, and, as a control, how late an
// idle process on the same host wakes from a precise 1 ms sleep.
// Run: npm run build && node bench/load-lag.mjs [rate] [seconds] [spin:nap,...] [rounds]
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { OpenEngine } from '../dist/src/load/open-engine.js';
import { WindowRecorder } from '../dist/src/load/window-recorder.js';
import { compileRequestMix } from '../dist/src/load/request-mix.js';
import { requestSource, statusCheck } from '../dist/src/load/request-text.js';
import {
  decodeHistogram,
  summarizeLatencyMs,
  mergeHistograms,
  createLatencyHistogram,
} from '../dist/src/metrics/index.js';
import { createRandom } from '../dist/src/shared/random.js';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { environment, startNodeTarget, writeMarkdown } from './lib/targets.mjs';

// The control: a separate idle process sleeping 1 ms at a time (futex, µs-precise) and measuring
// how late it wakes. That lateness is the host's own floor: no scheduler can beat it.
const wakeScript = `
const cell = new Int32Array(new SharedArrayBuffer(4));
const late = [];
const end = performance.now() + Number(process.argv[1]) * 1000;
while (performance.now() < end) {
  const t = performance.now();
  Atomics.wait(cell, 0, 0, 1);
  late.push(performance.now() - t - 1);
}
late.sort((a, b) => a - b);
const q = (p) => late[Math.floor(late.length * p)].toFixed(3);
console.log(JSON.stringify({ p50: q(0.5), p99: q(0.99), max: late.at(-1).toFixed(3) }));
`;

function hostWakeLateness(seconds) {
  const child = spawn(process.execPath, ['-e', wakeScript, String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', () => resolve(JSON.parse(out))));
}

const rate = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 5);
const variants = (process.argv[4] ?? '0:0,1:0,1:0.1,2:0.1').split(',').map((v) => v.split(':').map(Number));

async function once(url, [spinMs, napMs]) {
  const u = new URL(url);
  const now = () => performance.timeOrigin + performance.now();
  const startEpochMs = now() + 300;
  const recorder = new WindowRecorder(startEpochMs, now);
  const requests = [{ path: '/' }];
  const engine = new OpenEngine({
    target: { host: u.hostname, port: Number(u.port) },
    phases: [{ index: 0, name: 'm', startMs: 0, endMs: seconds * 1000, rate: { from: rate, to: rate } }],
    nextRequest: requestSource(compileRequestMix(requests, createRandom(1)), u.host),
    checkStatus: statusCheck(requests),
    open: { arrivals: 'uniform', maxInFlight: 1000, offset: 0 },
    random: createRandom(2),
    timeoutMs: 10_000,
    startEpochMs,
    recorder,
    onPhase: () => {},
    spinMs,
    napMs,
  });
  const host = hostWakeLateness(seconds);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const totals = await engine.run();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  loop.disable();
  const lat = createLatencyHistogram();
  const svc = createLatencyHistogram();
  for (const w of recorder.flush(true)) {
    if (w.t === 0) continue; // the first second warms up
    mergeHistograms(lat, decodeHistogram(w.histogram));
    if (w.serviceHistogram) mergeHistograms(svc, decodeHistogram(w.serviceHistogram));
  }
  const lag = summarizeLatencyMs(decodeHistogram(totals.lagHistogram));
  const l = summarizeLatencyMs(lat);
  const s = summarizeLatencyMs(svc);
  return {
    'spin/nap ms': `${spinMs}/${napMs}`,
    sent: totals.sent,
    dropped: totals.dropped,
    'lag p50/p99/max ms': `${lag.p50}/${lag.p99}/${lag.max}`,
    'latency p50/p99 ms': `${l.p50}/${l.p99}`,
    'service p50/p99 ms': `${s.p50}/${s.p99}`,
    'loop delay p99 ms': (loop.percentile(99) / 1e6).toFixed(2),
    'cpu %': (((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1),
    'host wake late p50/p99 ms': await host.then((h) => `${h.p50}/${h.p99}`),
    loadavg: os.loadavg()[0].toFixed(1),
  };
}

const env = await environment();
console.log(JSON.stringify(env));
const target = await startNodeTarget({ delayMs: 4 });
try {
  const rows = [];
  const rounds = Number(process.argv[5] ?? 1);
  for (let r = 0; r < rounds; r++) for (const v of variants) rows.push(await once(target.url, v));
  console.table(rows);
  const keys = Object.keys(rows[0]);
  const md = [
    '# load-lag',
    '',
    `Node ${env.node}; ${env.cpu}; ${env.os}; commit ${env.commit}; ${new Date().toISOString()}; loadavg at start ${env.loadavg}.`,
    '',
    `Reproduce: \`npm run build && node bench/load-lag.mjs ${rate} ${seconds} ${process.argv[4] ?? '0:0,1:0,1:0.1,2:0.1'} ${rounds}\``,
    '',
    `The open engine in one process at ${rate} requests/s for ${seconds} s against a Node target answering after a 4 ms timer;`,
    'spin/nap: how long before a due time the timer hands over to event-loop turns, and how long each turn naps (0/0: timers only).',
    'Host wake late: an idle sibling process sleeping 1 ms at a time (futex) and measuring how late it wakes — the floor set by the host.',
    '',
    `| ${keys.join(' | ')} |`,
    `|${keys.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${keys.map((k) => r[k]).join(' | ')} |`),
    '',
  ];
  await writeMarkdown('bench/results/load-lag.md', md.join('\n'));
} finally {
  await target.close();
}
