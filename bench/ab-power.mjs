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
// Run: npm run build && node bench/ab-power.mjs [--comparisons 20] [--repeats 5] [--seconds 10] [--rate 300] [--modes duet,interleaved] [--gate p99:+0%]
// Writes bench/results/ab-power.md. Long: comparisons × repeats × (seconds + ~3 s boot) per case and mode.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    modes: { type: 'string', default: 'duet,interleaved' },
    gate: { type: 'string', default: 'p99:+0%' },
  },
});
const comparisons = Number(values.comparisons);
const repeats = Number(values.repeats);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const modes = values.modes.split(',');
const env = await environment();
console.error(JSON.stringify(env));

const dir = mkdtempSync(join(tmpdir(), 'loadlab-ab-power-'));
const scenario = join(dir, 'power.yaml');
writeFileSync(
  scenario,
  [
    'name: ab-power',
    'service: { cache: { enabled: false } }',
    'dependencies:',
    '  db: { capacity: 64, latency: { dist: constant, ms: 4 } }',
    'load:',
    '  model: open',
    `  phases: [{ name: steady, duration: ${seconds}s, rate: ${rate} }]`,
    "  requests: [{ path: '/users/{{uniform 1 1000}}' }]",
    '',
  ].join('\n'),
);
const cases = {
  'A/A (4 ms vs 4 ms)': [],
  'power (4 ms vs 5 ms)': ['--b', 'dependencies.db.latency={dist: constant, ms: 5}'],
};

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
        const r = spawnSync(
          process.execPath,
          [
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
            '--quiet',
            '--json',
          ],
          { encoding: 'utf8' },
        );
        if (![0, 1, 4].includes(r.status ?? -1)) throw new Error(`ab exited ${r.status}: ${r.stderr}`);
        const comparison = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
        const p99 = comparison.metrics.find((m) => m.metric === 'p99');
        verdicts[p99.verdict] = (verdicts[p99.verdict] ?? 0) + 1;
        const gate = comparison.gates[0];
        gates[gate.outcome] = (gates[gate.outcome] ?? 0) + 1;
        if (p99.change?.low !== undefined && p99.change?.high !== undefined)
          widths.push(p99.change.high - p99.change.low);
        rmSync(out, { recursive: true, force: true });
        console.error(
          `${mode} ${name} ${i}/${comparisons}: p99 ${p99.verdict} ${p99.reason}; gate ${gate.outcome}: ${gate.reason}`,
        );
      }
      widths.sort((a, b) => a - b);
      rows.push({
        mode,
        name,
        verdicts,
        gates,
        medianWidth: widths.length ? widths[Math.floor(widths.length / 2)] : undefined,
        minutes: (Date.now() - started) / 60000,
      });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const lines = [
  '# `loadlab ab`: false alarms and power on p99',
  '',
  `Environment: Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}, load average at start ${env.loadavg}.`,
  `Both variants' processes and the generator share the machine's cores (no pinning).`,
  '',
  `Each comparison: \`loadlab ab\` of the reference service, ${repeats} repeats of ${seconds} s at ${rate} requests/s (open model), cache off, simulated database at a constant 4 ms (B: 5 ms in the power case).`,
  '',
  `Two calls per comparison: the p99 **verdict** (two-sided 95% interval) and the gate \`${values.gate}\` (one-sided 95% bound; "fail" = called worse with one-sided confidence).`,
  '',
  `| mode | case | comparisons | worse | better | no change | inconclusive | gate ${values.gate} fail | pass | inconclusive | median p99 interval width | minutes |`,
  '| ---- | ---- | ----------- | ----- | ------ | --------- | ------------ | ------------- | ---- | ------------ | ------------------------- | ------- |',
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.name} | ${comparisons} | ${r.verdicts.worse ?? 0} | ${r.verdicts.better ?? 0} | ${r.verdicts['no change'] ?? 0} | ${r.verdicts.inconclusive ?? 0} | ${r.gates.fail ?? 0} | ${r.gates.pass ?? 0} | ${r.gates.inconclusive ?? 0} | ${r.medianWidth === undefined ? '—' : pct(r.medianWidth)} | ${r.minutes.toFixed(1)} |`,
  ),
  '',
  `Reproduce: \`npm run build && node bench/ab-power.mjs --comparisons ${comparisons} --repeats ${repeats} --seconds ${seconds} --rate ${rate} --modes ${modes.join(',')} --gate '${values.gate}'\``,
  '',
];
await writeMarkdown(join(import.meta.dirname, 'results', 'ab-power.md'), lines.join('\n'));
console.log(lines.join('\n'));
