// Does the side whose lab starts first in a duet pair fare differently? `loadlab ab` starts the two
// labs of a pair in turn (A first in odd repeats, B first in even ones). This runs A/A duets of the
// reference service (both sides identical) with an even number of repeats and reads, per pair, the
// steady-phase percentiles of each side (the same seconds `compare --phase steady` reads), then
// compares ln(B/A) of the pairs where A started first with those where B started first.
// With no difference between the sides, only the start order can separate the two groups.
//
// Run:      npm run build && node bench/duet-order.mjs [--duets 2] [--repeats 10] [--rate 150]
//           [--seconds 10] [--warmup 3] [--db-ms 20] [--lock FILE] [--keep DIR] [--out FILE]
// Re-read:  node bench/duet-order.mjs --from DIR[,DIR...]   (folders `ab --out` wrote, or --keep's)
// Writes bench/results/duet-order.md (or --out).
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { comparedSide } from '../dist/src/cli/compared-side.js';
import { studentTCdf } from '../dist/src/analysis/stats-student-t.js';
import { environment, writeMarkdown } from './lib/targets.mjs';

const { values } = parseArgs({
  options: {
    duets: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '10' },
    rate: { type: 'string', default: '150' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'db-ms': { type: 'string', default: '20' },
    lock: { type: 'string' },
    keep: { type: 'string' },
    from: { type: 'string' },
    out: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 2 || repeats % 2 !== 0) {
  throw new Error(`--repeats: expected an even whole number of at least 2, got ${values.repeats}`);
}
const env = await environment();
console.error(JSON.stringify(env));

/** The value HdrHistogram's getValueAtPercentile gives for counts over ascending values. */
function quantile({ valuesUs, counts }, q) {
  const total = counts.reduce((x, y) => x + y, 0);
  const rank = Math.max(1, Math.floor(q * total + 0.5));
  let seen = 0;
  for (let i = 0; i < valuesUs.length; i++) {
    seen += counts[i];
    if (seen >= rank) return valuesUs[i];
  }
  return NaN;
}

/** Each side's runs of one `ab` folder, restricted to the steady phase. */
function readDuet(dir) {
  const side = (s) => {
    const runs = readdirSync(join(dir, s))
      .filter((r) => r.startsWith('run-'))
      .sort((x, y) => Number(x.slice(4)) - Number(y.slice(4)));
    return comparedSide(
      s,
      runs.map((r) => ({
        source: join(dir, s, r, 'result.json'),
        result: JSON.parse(readFileSync(join(dir, s, r, 'result.json'), 'utf8')),
        latencyLog: readFileSync(join(dir, s, r, 'latency.hlog'), 'utf8'),
      })),
      ['steady'],
    ).latency;
  };
  return { a: side('a'), b: side('b') };
}

let folders;
let made = false;
if (values.from !== undefined) {
  folders = values.from.split(',');
} else {
  made = true;
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-duet-order-'));
  const scenario = join(dir, 'duet-order.yaml');
  writeFileSync(
    scenario,
    [
      'name: duet-order',
      'service: { cache: { enabled: false } }',
      'dependencies:',
      `  db: { capacity: 64, latency: { dist: constant, ms: ${values['db-ms']} } }`,
      'load:',
      '  model: open',
      `  phases: [{ name: warmup, duration: ${values.warmup}s, rate: ${values.rate} }, { name: steady, duration: ${values.seconds}s, rate: ${values.rate} }]`,
      "  requests: [{ path: '/users/{{uniform 1 1000}}' }]",
      '',
    ].join('\n'),
  );
  folders = [];
  for (let i = 1; i <= Number(values.duets); i++) {
    const out = join(dir, `duet-${i}`);
    const command = [
      'dist/src/cli/main.js',
      'ab',
      scenario,
      '--repeat',
      String(repeats),
      '--seed',
      String(i),
      '--phase',
      'steady',
      '--out',
      out,
      '--quiet',
    ];
    const r =
      values.lock === undefined
        ? spawnSync(process.execPath, command, { encoding: 'utf8' })
        : spawnSync('flock', [values.lock, process.execPath, ...command], { encoding: 'utf8' });
    if (![0, 1, 4].includes(r.status ?? -1)) throw new Error(`ab exited ${r.status}: ${r.stderr}`);
    let kept = out;
    if (values.keep !== undefined) {
      mkdirSync(values.keep, { recursive: true });
      kept = join(values.keep, `duet-order-${Date.now()}-${i}`);
      renameSync(out, kept);
    }
    folders.push(kept);
    console.error(`duet ${i}/${values.duets} done: ${kept}`);
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}

const quantiles = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99],
];
const pairs = [];
folders.forEach((folder, f) => {
  const { a, b } = readDuet(folder);
  a.forEach((runA, i) => {
    const runB = b[i];
    const row = { duet: f + 1, repeat: i + 1, first: i % 2 === 0 ? 'A' : 'B' };
    for (const [name, q] of quantiles) {
      row[name] = { a: quantile(runA, q) / 1000, b: quantile(runB, q) / 1000 };
      row[name].ln = Math.log(row[name].b / row[name].a);
    }
    pairs.push(row);
  });
});

const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
const variance = (xs) => {
  const m = mean(xs);
  return xs.reduce((x, y) => x + (y - m) ** 2, 0) / (xs.length - 1);
};
/** Welch's t test of two groups' means: the difference, t, its degrees of freedom and two-sided p. */
function welch(x, y) {
  const vx = variance(x) / x.length;
  const vy = variance(y) / y.length;
  const t = (mean(y) - mean(x)) / Math.sqrt(vx + vy);
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  return { difference: mean(y) - mean(x), t, df, p: 2 * (1 - studentTCdf(Math.abs(t), df)) };
}
const pct = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
const summary = quantiles.map(([name]) => {
  const aFirst = pairs.filter((p) => p.first === 'A').map((p) => p[name].ln);
  const bFirst = pairs.filter((p) => p.first === 'B').map((p) => p[name].ln);
  const w = welch(aFirst, bFirst);
  return {
    name,
    aFirst: mean(aFirst),
    bFirst: mean(bFirst),
    sdAll: Math.sqrt(variance([...aFirst, ...bFirst])),
    ...w,
    n: [aFirst.length, bFirst.length],
  };
});

const lines = [
  '# Duet start order: does the side started first fare differently?',
  '',
  `Environment: Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}, load average at start ${env.loadavg}.`,
  '',
  made
    ? `${values.duets} A/A duets (\`loadlab ab\`, both sides the same reference service: cache off, simulated database at a constant ${values['db-ms']} ms), ${repeats} pairs each, every run a ${values.warmup} s warm-up and ${values.seconds} s steady at ${values.rate} requests/s (open model). Percentiles of each run's steady phase.`
    : `Re-read from ${folders.length} kept \`ab\` folder(s) (${folders.map((f) => f.split('/').pop()).join(', ')}). Percentiles of each run's steady phase.`,
  'In each pair the two labs start in turn: A first in odd repeats, B first in even ones. Both sides are identical, so ln(B/A) should not depend on which started first.',
  '',
  '| percentile | pairs (A first, B first) | mean ln(B/A), A started first | mean ln(B/A), B started first | difference | Welch t (df) | two-sided p | sd of ln(B/A), all pairs |',
  '| ---------- | ------------------------ | ----------------------------- | ----------------------------- | ---------- | ------------ | ----------- | ------------------------ |',
  ...summary.map(
    (s) =>
      `| ${s.name} | ${s.n[0]}, ${s.n[1]} | ${pct(s.aFirst)} | ${pct(s.bFirst)} | ${pct(s.difference)} | ${s.t.toFixed(2)} (${s.df.toFixed(1)}) | ${s.p.toFixed(3)} | ${(100 * s.sdAll).toFixed(1)}% |`,
  ),
  '',
  'A positive difference: the side started first was the slower one. Half the difference is the start-order effect on that percentile; an unbalanced number of pairs (an odd `--repeat`) leaves a bias of the effect divided by the number of pairs.',
  '',
  made
    ? `Reproduce: \`npm run build && node bench/duet-order.mjs --duets ${values.duets} --repeats ${repeats} --rate ${values.rate} --seconds ${values.seconds} --warmup ${values.warmup} --db-ms ${values['db-ms']}\``
    : `Reproduce: \`node bench/duet-order.mjs --from <folders>\` on the same folders.`,
  '',
  '| duet | repeat | started first | p50 A | p50 B | p99 A | p99 B | ln(B/A) p50 | ln(B/A) p99 |',
  '| ---- | ------ | ------------- | ----- | ----- | ----- | ----- | ----------- | ----------- |',
  ...pairs.map(
    (p) =>
      `| ${p.duet} | ${p.repeat} | ${p.first} | ${p.p50.a.toFixed(1)} | ${p.p50.b.toFixed(1)} | ${p.p99.a.toFixed(1)} | ${p.p99.b.toFixed(1)} | ${pct(p.p50.ln)} | ${pct(p.p99.ln)} |`,
  ),
  '',
];
await writeMarkdown(values.out ?? join(import.meta.dirname, 'results', 'duet-order.md'), lines.join('\n'));
console.log(lines.join('\n'));
