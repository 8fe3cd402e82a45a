// The rate figure: one 30 s open-model phase at 2,000 requests/s (after a 1 s warm-up
// second that is not counted) against a Node target; is the achieved rate within 1% of the plan?
// Writes bench/results/load-rate.md. Run: npm run build && node bench/load-rate.mjs [rate] [seconds]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { environment, startNodeTarget, writeMarkdown } from './lib/targets.mjs';

const rate = Number(process.argv[2] ?? 2000);
const seconds = Number(process.argv[3] ?? 30);
const env = await environment();
console.log(JSON.stringify(env));
const target = await startNodeTarget({ delayMs: 0 });
let r;
try {
  const load = { model: 'open', phases: [{ duration: seconds + 1, rate }], requests: [{ path: '/' }] };
  const out = execFileSync(
    process.execPath,
    ['bench/lib/loadlab-run.mjs', JSON.stringify({ url: target.url, load })],
    {
      encoding: 'utf8',
    },
  );
  r = JSON.parse(out.trim().split('\n').pop());
} finally {
  await target.close();
}
const lines = [
  '# load-rate',
  '',
  `Node ${env.node}; ${env.cpu}; ${env.os}; commit ${env.commit}; ${new Date().toISOString()}; loadavg before ${env.loadavg}, after ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}.`,
  '',
  `Reproduce: \`npm run build && node bench/load-rate.mjs ${rate} ${seconds}\``,
  '',
  `Open model, ${rate} requests/s for ${seconds + 1} s (the first second not counted in responses/s).`,
  '',
  '| figure | value |',
  '| --- | --- |',
  `| planned / sent / dropped | ${r.planned} / ${r.sent} / ${r.dropped} |`,
  `| sent ÷ planned | ${((r.sent / r.planned) * 100).toFixed(2)}% |`,
  `| responses/s over the measured seconds | ${r.rps.toFixed(1)} (${((r.rps / rate - 1) * 100).toFixed(2)}% from plan; answers that straggle past the end count in the last second) |`,
  `| scheduling lag p99 | ${r.lagP99} ms |`,
  `| latency p50 / p99 (from due time) | ${r.p50} / ${r.p99} ms |`,
  `| generator ELU (mean) / process CPU | ${r.elu?.toFixed(2)} / ${r.cpuPct?.toFixed(1)}% |`,
  '',
];
await writeMarkdown('bench/results/load-rate.md', lines.join('\n'));
console.log(lines.join('\n'));
