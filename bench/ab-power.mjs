// How often `loadlab ab` calls a p99 change, against known truth, in both modes:
//   A/A    both variants identical (simulated database latency 4 ms): any "worse" or "better"
//          on p99 is a false alarm (goal: at most 1 in 20, i.e. ≤ 5%);
//   power  B's database 25% slower (4 ms against 5 ms, constant): "worse" on p99 is a hit
//          (goal: ≥ 90% of comparisons, each of at most 5 repeats in duet mode).
// Each comparison is one `loadlab ab` of the reference service (scenarios written below: open
// model, one phase), read from comparison.json: the p99 verdict (two-sided 95% interval: needs
// 6 pairs, 4 runs a side) and the outcome of the gate `--fail-on p99:+0%` (one-sided 95% bound:
// "fail" is the one-sided call "worse"; needs 5 pairs, 3 runs a side). Reports, per mode and
// case: both counts, the median p99 interval width, and the wall time.
// Each run is a warm-up phase (left out with --phase steady) and a steady phase of --seconds.
// Each comparison takes the bench lock (/work/bench.lock style: --lock FILE) on its own, so other
// benchmarks can run between comparisons but never beside one.
// --keep DIR keeps every comparison's folder (its runs, comparison.json) there, for reading later.
// Run: npm run build && node bench/ab-power.mjs [--comparisons 20] [--repeats 5] [--seconds 10] [--warmup 2] [--rate 300] [--db-ms 4] [--modes duet,interleaved] [--cases aa,power] [--gate p99:+0%] [--lock FILE]
// Writes bench/results/ab-power.md. Long: comparisons × repeats × (seconds + ~3 s boot) per case and mode.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { environment, writeMarkdown } from './lib/targets.mjs';

const { values } = parseArgs({
  options: {
    comparisons: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '2' },
    'db-ms': { type: 'string', default: '4' },
    cases: { type: 'string', default: 'aa,power' },
    lock: { type: 'string' },
    keep: { type: 'string' },
    out: { type: 'string' },
    modes: { type: 'string', default: 'duet,interleaved' },
    gate: { type: 'string', default: 'p99:+0%' },
  },
});
const comparisons = Number(values.comparisons);
const repeats = Number(values.repeats);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const warmup = Number(values.warmup);
const dbMs = Number(values['db-ms']);
const slowMs = dbMs * 1.25;
const modes = values.modes.split(',');
const env = await environment();
console.error(JSON.stringify(env));

const dir = mkdtempSync(join(tmpdir(), 'loadlab-ab-power-'));
if (values.keep !== undefined) mkdirSync(values.keep, { recursive: true });
const scenario = join(dir, 'power.yaml');
writeFileSync(
  scenario,
  [
    'name: ab-power',
    'service: { cache: { enabled: false } }',
    'dependencies:',
    `  db: { capacity: 64, latency: { dist: constant, ms: ${dbMs} } }`,
    'load:',
    '  model: open',
    `  phases: [{ name: warmup, duration: ${warmup}s, rate: ${rate} }, { name: steady, duration: ${seconds}s, rate: ${rate} }]`,
    "  requests: [{ path: '/users/{{uniform 1 1000}}' }]",
    '',
  ].join('\n'),
);
const allCases = {
  aa: [`A/A (${dbMs} ms vs ${dbMs} ms)`, []],
  power: [
    `power (${dbMs} ms vs ${slowMs} ms)`,
    ['--b', `dependencies.db.latency={dist: constant, ms: ${slowMs}}`],
  ],
};
const cases = Object.fromEntries(values.cases.split(',').map((c) => allCases[c]));
const perComparison = [];
const outPath = values.out ?? join(import.meta.dirname, 'results', 'ab-power.md');

const rows = [];
try {
  for (const mode of modes) {
    for (const [name, bArgs] of Object.entries(cases)) {
      const verdicts = {};
      const gates = {};
      const widths = [];
      const started = Date.now();
      for (let i = 1; i <= comparisons; i++) {
        const out = join(dir, `${mode}-${rows.length}-${i}`);
        const command = [
          'dist/src/cli/main.js',
          'ab',
          scenario,
          ...bArgs,
          '--mode',
          mode,
          '--repeat',
          String(repeats),
          '--seed',
          String(i),
          '--out',
          out,
          '--fail-on',
          values.gate,
          '--phase',
          'steady',
          '--quiet',
          '--json',
        ];
        const r =
          values.lock === undefined
            ? spawnSync(process.execPath, command, { encoding: 'utf8' })
            : spawnSync('flock', [values.lock, process.execPath, ...command], { encoding: 'utf8' });
        if (![0, 1, 4].includes(r.status ?? -1)) throw new Error(`ab exited ${r.status}: ${r.stderr}`);
        const comparison = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
        const p99 = comparison.metrics.find((m) => m.metric === 'p99');
        verdicts[p99.verdict] = (verdicts[p99.verdict] ?? 0) + 1;
        const gate = comparison.gates[0];
        gates[gate.outcome] = (gates[gate.outcome] ?? 0) + 1;
        if (p99.change?.low !== undefined && p99.change?.high !== undefined)
          widths.push(p99.change.high - p99.change.low);
        perComparison.push({
          mode,
          name,
          i,
          geoMeanA: p99.geoMean?.a,
          geoMeanB: p99.geoMean?.b,
          change: p99.change,
          verdict: p99.verdict,
          gate: gate.outcome,
          loadavg: (await import('node:os')).loadavg()[0],
        });
        if (values.keep === undefined) rmSync(out, { recursive: true, force: true });
        else renameSync(out, join(values.keep, `${mode}-${name.split(' ')[0].replace('/', '')}-${i}`));
        console.error(
          `${mode} ${name} ${i}/${comparisons}: p99 ${p99.verdict} ${p99.reason}; gate ${gate.outcome}: ${gate.reason}`,
        );
        // Written after every comparison, so an interrupted run keeps what it measured.
        if (i < comparisons) {
          await writeMarkdown(
            outPath,
            render([...rows, rowOf(mode, name, verdicts, gates, widths, started, i)]),
          );
        }
      }
      rows.push(rowOf(mode, name, verdicts, gates, widths, started, comparisons));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

await writeMarkdown(outPath, render(rows));
console.log(render(rows));

/** One mode and case's counts after `done` comparisons. */
function rowOf(mode, name, verdicts, gates, widths, started, done) {
  const sorted = [...widths].sort((a, b) => a - b);
  return {
    mode,
    name,
    done,
    verdicts: { ...verdicts },
    gates: { ...gates },
    medianWidth: sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined,
    minutes: (Date.now() - started) / 60000,
  };
}

function render(rows) {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    '# `loadlab ab`: false alarms and power on p99',
    '',
    `Environment: Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}, load average at start ${env.loadavg}.`,
    `Both variants' processes and the generator share the machine's cores (no pinning).`,
    '',
    `Each comparison: \`loadlab ab ... --phase steady\` of the reference service, ${repeats} repeats of a ${warmup} s warm-up (left out) and ${seconds} s measured at ${rate} requests/s (open model), cache off, simulated database at a constant ${dbMs} ms (B: ${slowMs} ms in the power case). Latency percentiles: each side's geometric mean of its runs' percentiles, with the two-stage bootstrap over pairs and their requests (docs/compare.md).`,
    '',
    `Two calls per comparison: the p99 **verdict** (two-sided 95% interval) and the gate \`${values.gate}\` (one-sided 95% bound; "fail" = called worse with one-sided confidence).`,
    '',
    `| mode | case | comparisons | worse | better | no change | inconclusive | gate ${values.gate} fail | pass | inconclusive | median p99 interval width | minutes |`,
    '| ---- | ---- | ----------- | ----- | ------ | --------- | ------------ | ------------- | ---- | ------------ | ------------------------- | ------- |',
    ...rows.map(
      (r) =>
        `| ${r.mode} | ${r.name} | ${r.done} | ${r.verdicts.worse ?? 0} | ${r.verdicts.better ?? 0} | ${r.verdicts['no change'] ?? 0} | ${r.verdicts.inconclusive ?? 0} | ${r.gates.fail ?? 0} | ${r.gates.pass ?? 0} | ${r.gates.inconclusive ?? 0} | ${r.medianWidth === undefined ? '—' : pct(r.medianWidth)} | ${r.minutes.toFixed(1)} |`,
    ),
    '',
    `Reproduce: \`npm run build && node bench/ab-power.mjs --comparisons ${comparisons} --repeats ${repeats} --seconds ${seconds} --warmup ${warmup} --rate ${rate} --db-ms ${dbMs} --modes ${modes.join(',')} --cases ${values.cases} --gate '${values.gate}'\``,
    '',
    'Each comparison (p99 of A and B in ms, the geometric mean of the runs, the change and its 95% interval, 1-minute load average after it):',
    '',
    '| mode | case | # | A p99 | B p99 | change | interval | verdict | gate | load |',
    '| ---- | ---- | - | ----- | ----- | ------ | -------- | ------- | ---- | ---- |',
    ...perComparison.map(
      (c) =>
        `| ${c.mode} | ${c.name} | ${c.i} | ${c.geoMeanA?.toFixed(2) ?? '—'} | ${c.geoMeanB?.toFixed(2) ?? '—'} | ${c.change === undefined ? '—' : pct(c.change.estimate)} | ${c.change?.low === undefined ? '—' : `${pct(c.change.low)} to ${pct(c.change.high)}`} | ${c.verdict} | ${c.gate} | ${c.loadavg.toFixed(1)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
