// The journey engine's cost: a one-step flow against the same request as a plain request mix, in
// the closed model (50 connections) against a plain Node target pinned to core 0, the generator
// pinned to core 1. Rounds alternate mix and flow (and, third, a one-step flow whose step
// captures a header and checks the status, so the answer's head is kept and read); each reports
// responses/s over the measured seconds. The goal (issue: user journeys): the one-step flow within
// 10% of the mix. Writes bench/results/journey-vs-mix.md.
// Run on a quiet machine: npm run build && node bench/journey-vs-mix.mjs [seconds 5] [rounds 6]
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { environment, startNodeTarget, writeMarkdown } from './lib/targets.mjs';

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 6);
const pinned = os.cpus().length > 1;

const phases = [{ duration: seconds + 1, connections: 50 }];
const variants = {
  mix: { model: 'closed', phases, requests: [{ path: '/' }] },
  flow: { model: 'closed', phases, flows: [{ steps: [{ path: '/' }] }] },
  'flow+capture': {
    model: 'closed',
    phases,
    flows: [
      { steps: [{ path: '/', capture: { len: { header: 'content-length' } }, check: [{ status: 200 }] }] },
    ],
  },
};

async function once(url, load) {
  const args = ['bench/lib/loadlab-run.mjs', JSON.stringify({ url, load })];
  const { stdout } = pinned
    ? await run('taskset', ['-c', '1', process.execPath, ...args], { maxBuffer: 16 * 1024 * 1024 })
    : await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = await environment();
console.log(JSON.stringify(env));
const target = await startNodeTarget(pinned ? { cpu: 0 } : {});
const rps = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const [name, load] of Object.entries(variants)) {
      const result = await once(target.url, load);
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} errors`);
      rps[name].push(result.rps);
      console.log(`round ${r + 1} ${name}: ${Math.round(result.rps)} responses/s`);
    }
  }
} finally {
  await target.close();
}
const base = median(rps.mix);
const rows = Object.entries(rps).map(
  ([name, xs]) =>
    `| ${name} | ${Math.round(median(xs))} | ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} | ${((median(xs) / base) * 100).toFixed(1)}% |`,
);
const text = `# One-step flow against the plain request mix

${new Date().toISOString()} · Node ${env.node} · ${env.cpu} · ${env.os} · commit ${env.commit} · load average before ${env.loadavg}

Closed model, 50 connections, ${seconds} s measured per run (after 1 s), ${rounds} rounds, variants
interleaved; ${pinned ? 'generator on core 1, target (plain Node server) on core 0' : 'not pinned (one core)'}.

| variant | responses/s (median) | range | of the mix |
| ------- | -------------------: | ----: | ---------: |
${rows.join('\n')}

The goal: the one-step flow within 10% of the mix.
`;
await writeMarkdown('bench/results/journey-vs-mix.md', text);
console.log(text);
