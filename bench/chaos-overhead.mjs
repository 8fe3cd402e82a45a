// What the fault proxy adds with no toxics: latency through the proxy vs a direct connection to
// the same target, in the same run, as a SIMULTANEOUS A/B (docs/measured-facts.md). The target (a plain Node
// HTTP server) and the proxy child (dist/src/chaos/proxy-main.js, as the lab runs it) share core 0;
// this generator sends every request twice at the same moment — once direct, once through the
// proxy — at a fixed rate, and times each from its send to the end of its response (µs, HDR).
// A control round pairs two direct pools, to show the noise floor of the comparison itself.
// A third path, sent at the same moments, goes through a second proxy of the same child carrying a
// latency toxic of LATENCY ms: (toxic path − plain proxy path) − LATENCY is how far the toxic's
// added delay lies from its setting (the bar: p50 within 1 ms, p99 within 5 ms at 1,000/s).
//
//   core 0: target ◀──────────── direct pool ──┐
//           target ◀── proxy ◀── proxied pool ─┤ this process (the generator)
//
// With no HTTP fault set the proxy does not frame HTTP: its bytes pass as they are, as in the lab
// between faults. A fourth path goes through a proxy carrying an HTTP fault that matches no request
// (so it frames every request and response, and faults none): what framing itself costs.
// The two requests of a pair go out in alternating order, so neither path always goes second.
//
// Run (after npm run build): node bench/chaos-overhead.mjs [seconds=10] [rates=500,1000] [latency=10]
// Writes bench/results/chaos-overhead.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { environment, startNodeTarget } from './lib/targets.mjs';

const seconds = Number(process.argv[2] ?? 10);
const rates = (process.argv[3] ?? '500,1000').split(',').map(Number);
const latency = Number(process.argv[4] ?? 10);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts the fault proxy child pinned to `cpu` with two proxies to `upstream`: `target` plain, and
 * `lagged` carrying a latency toxic of `latency` ms; resolves with their listen addresses.
 */
async function startProxy(upstream, cpu) {
  const config = {
    config: {
      seed: 1,
      proxies: [
        { name: 'target', upstream, listen: '127.0.0.1:0' },
        { name: 'lagged', upstream, listen: '127.0.0.1:0' },
        { name: 'framed', upstream, listen: '127.0.0.1:0' },
      ],
    },
  };
  const child = spawn(
    'taskset',
    ['-c', String(cpu), process.execPath, join(root, 'dist/src/chaos/proxy-main.js')],
    {
      env: { ...process.env, LOADLAB_PROXY_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const [message] = await once(child, 'message');
  const added = await fetch(`${message.url}/proxies/lagged/toxics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'latency', stream: 'downstream', attributes: { latency } }),
  });
  if (added.status !== 200)
    throw new Error(`adding the latency toxic: ${added.status} ${await added.text()}`);
  const framed = await fetch(`${message.url}/proxies/framed/toxics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'http_status', attributes: { status: 503 }, match: { path: '/never/*' } }),
  });
  if (framed.status !== 200)
    throw new Error(`adding the HTTP fault: ${framed.status} ${await framed.text()}`);
  const proxies = await (await fetch(`${message.url}/proxies`)).json();
  return {
    pid: child.pid,
    url: `http://${proxies.target.listen}`,
    laggedUrl: `http://${proxies.lagged.listen}`,
    framedUrl: `http://${proxies.framed.listen}`,
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

function histogram() {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** One request on `pool`, recorded in `hist` (µs from send to the end of the body). */
async function timed(pool, hist) {
  const t0 = performance.now();
  const res = await pool.request({ method: 'GET', path: '/' });
  await res.body.text();
  hist.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
}

/** Sends to every pool at once, `rate` times a second for `seconds`; resolves with one histogram per pool. */
async function round(pools, rate) {
  const hists = pools.map(() => histogram());
  const total = rate * seconds;
  const inflight = new Set();
  const t0 = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      for (; sent < due; sent++) {
        // Alternate which path goes first: the second send of a pair waits behind the first.
        const order = sent % 2 === 0 ? pools.map((_, i) => i) : pools.map((_, i) => pools.length - 1 - i);
        for (const i of order) {
          const p = timed(pools[i], hists[i]).finally(() => inflight.delete(p));
          inflight.add(p);
        }
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inflight);
  return hists;
}

const ms = (h, p) => h.getValueAtPercentile(p) / 1000;

/** CPU time (user + system) a process has used so far, ms, from /proc (Linux; 10 ms ticks). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const f = (v) => v.toFixed(3);

const env = await environment();
const target = await startNodeTarget({ cpu: 0 });
const proxy = await startProxy(new URL(target.url).host, 0);
const direct = new Pool(target.url, { connections: 16 });
const direct2 = new Pool(target.url, { connections: 16 });
const proxied = new Pool(proxy.url, { connections: 16 });
const lagged = new Pool(proxy.laggedUrl, { connections: 64 });
const framedPool = new Pool(proxy.framedUrl, { connections: 16 });
const rows = [];
try {
  // Warm up both paths (JIT, connections) before measuring.
  await round([direct, proxied, direct2, lagged, framedPool], 500);
  for (const rate of rates) {
    const cpu0 = { proxy: cpuMs(proxy.pid), target: cpuMs(target.pid) };
    const [d, p] = await round([direct, proxied], rate);
    const cpu = { proxy: cpuMs(proxy.pid) - cpu0.proxy, target: cpuMs(target.pid) - cpu0.target };
    const [p2, l] = await round([proxied, lagged], rate);
    const [c1, c2] = await round([direct, direct2], rate);
    const cpuF0 = cpuMs(proxy.pid);
    const [d3, fr] = await round([direct, framedPool], rate);
    const framedCpu = cpuMs(proxy.pid) - cpuF0;
    // Per request: the proxy carried `rate × seconds`; the target answered twice that.
    const n = rate * seconds;
    rows.push({
      rate,
      d,
      p,
      c1,
      c2,
      d3,
      fr,
      p2,
      l,
      proxyUs: (cpu.proxy * 1000) / n,
      framedUs: (framedCpu * 1000) / n,
      targetUs: (cpu.target * 1000) / (2 * n),
    });
    console.error(`${rate}/s: direct p99 ${f(ms(d, 99))} ms, proxied p99 ${f(ms(p, 99))} ms`);
  }
} finally {
  await Promise.all([direct.close(), direct2.close(), proxied.close(), lagged.close(), framedPool.close()]);
  await proxy.close();
  await target.close();
}

const loadAfter = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const lines = [
  '# Fault proxy overhead (no toxics) vs a direct connection',
  '',
  `Node ${env.node} · ${env.cpu} · ${env.os} · commit ${env.commit} · load average before ${env.loadavg}, after ${loadAfter}`,
  '',
  `Command: \`node bench/chaos-overhead.mjs ${seconds} ${rates.join(',')} ${latency}\` — ${seconds} s per round; the target`,
  'and the proxy child pinned to core 0; every request sent at the same moment on both paths',
  '(simultaneous A/B); latency from send to the end of the response, in ms (HDR, µs resolution).',
  'The two requests of a pair go out in alternating order. "through the proxy": no toxic and no',
  'HTTP fault, so the proxy passes bytes as they are. "through a framing proxy": an HTTP fault that',
  'matches no request is set, so every request and response is framed (none is faulted).',
  'The control round pairs two direct pools to the same target: its difference is the noise floor.',
  '',
  '| rate | path | p50 | p90 | p99 | p99.9 | added p50 | added p99 |',
  '| ---: | ---- | --: | --: | --: | ----: | --------: | --------: |',
];
for (const { rate, d, p, c1, c2, d3, fr } of rows) {
  const row = (name, h, base) =>
    `| ${rate}/s | ${name} | ${f(ms(h, 50))} | ${f(ms(h, 90))} | ${f(ms(h, 99))} | ${f(ms(h, 99.9))} | ${
      base ? f(ms(h, 50) - ms(base, 50)) : ''
    } | ${base ? f(ms(h, 99) - ms(base, 99)) : ''} |`;
  lines.push(
    row('direct', d),
    row('through the proxy', p, d),
    row('control: direct', c1),
    row('control: direct again', c2, c1),
    row('direct (framing round)', d3),
    row('through a framing proxy', fr, d3),
  );
}
lines.push(
  '',
  `Latency toxic of ${latency} ms (downstream) against the plain proxy, sent at the same moments:`,
  'how far the added delay lies from the setting (bar: p50 ≤ 1 ms, p99 ≤ 5 ms; never early).',
  '',
  '| rate | plain proxy p50 / p99 | with toxic p50 / p99 | min with toxic | added − setting, p50 | added − setting, p99 |',
  '| ---: | --------------------: | -------------------: | -------------: | -------------------: | -------------------: |',
  ...rows.map(
    (r) =>
      `| ${r.rate}/s | ${f(ms(r.p2, 50))} / ${f(ms(r.p2, 99))} | ${f(ms(r.l, 50))} / ${f(ms(r.l, 99))} | ${f(
        r.l.minNonZeroValue / 1000,
      )} | ${f(ms(r.l, 50) - ms(r.p2, 50) - latency)} | ${f(ms(r.l, 99) - ms(r.p2, 99) - latency)} |`,
  ),
  '',
  'CPU time per request (from /proc; independent of how busy the machine was, to ±10 ms per round):',
  '',
  '| rate | proxy CPU per request, passing bytes | proxy CPU per request, framing HTTP | target CPU per request |',
  '| ---: | ----------------------------------: | ----------------------------------: | ---------------------: |',
  ...rows.map(
    (r) =>
      `| ${r.rate}/s | ${r.proxyUs.toFixed(1)} µs | ${r.framedUs.toFixed(1)} µs | ${r.targetUs.toFixed(1)} µs |`,
  ),
  '',
);
writeFileSync(join(root, 'bench/results/chaos-overhead.md'), lines.join('\n'));
console.log(lines.join('\n'));
