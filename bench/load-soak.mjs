// Memory of the generator over a long open-model run: loadlab (orchestrator + worker, as `loadlab
// run` drives load) at 2,000 requests/s against a Node target, its RSS read from /proc every 5 s.
// Target: under 30 MB growth over 10 minutes (from the end of the first minute, or of the first
// fifth of a shorter run, to the end). Writes bench/results/load-soak.md.
// Run: npm run build && node bench/load-soak.mjs [--minutes 10] [--rate 2000]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { environment, startNodeTarget, writeMarkdown } from './lib/targets.mjs';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '2000' } },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const env = await environment();
console.log(JSON.stringify(env));
const loadBefore = os.loadavg()[0];

const target = await startNodeTarget({ delayMs: 0 });
const samples = [];
let summary;
try {
  const load = {
    model: 'open',
    phases: [{ duration: Math.round(minutes * 60), rate }],
    requests: [{ path: '/' }],
  };
  const child = spawn(
    process.execPath,
    ['bench/lib/loadlab-run.mjs', JSON.stringify({ url: target.url, load })],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const t0 = Date.now();
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
      samples.push({ s: (Date.now() - t0) / 1000, mb: kb / 1024 });
    } catch {
      // the process has just exited
    }
  }, 5000);
  await new Promise((r) => child.on('exit', r));
  clearInterval(timer);
  summary = JSON.parse(out.trim().split('\n').pop());
} finally {
  await target.close();
}

const settleS = Math.min(60, (minutes * 60) / 5);
const settled = samples.filter((x) => x.s >= settleS);
const first = settled[0]?.mb ?? NaN;
const last = settled.at(-1)?.mb ?? NaN;
const max = Math.max(...samples.map((x) => x.mb));
const lines = [
  '# load-soak',
  '',
  `Node ${env.node}; ${env.cpu}; ${env.os}; commit ${env.commit}; ${new Date().toISOString()}; loadavg before ${loadBefore.toFixed(2)}, after ${os.loadavg()[0].toFixed(2)}.`,
  '',
  `Reproduce: \`npm run build && node bench/load-soak.mjs --minutes ${minutes} --rate ${rate}\``,
  '',
  `Open model, ${rate} requests/s for ${minutes} min; RSS of the generator process every 5 s.`,
  '',
  '| figure | value |',
  '|---|---:|',
  `| responses/s (mean) | ${summary.rps.toFixed(0)} |`,
  `| sent / planned | ${summary.sent} / ${summary.planned} |`,
  `| RSS at ${settleS} s | ${first.toFixed(1)} MB |`,
  `| RSS at the end | ${last.toFixed(1)} MB |`,
  `| growth after ${settleS} s | ${(last - first).toFixed(1)} MB (target < 30 MB over 10 min) |`,
  `| max RSS | ${max.toFixed(1)} MB |`,
  '',
  'RSS over time (s: MB): ' + samples.map((x) => `${x.s.toFixed(0)}: ${x.mb.toFixed(0)}`).join(', '),
  '',
];
await writeMarkdown('bench/results/load-soak.md', lines.join('\n'));
console.log(lines.join('\n'));
