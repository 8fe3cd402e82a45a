import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { makeFixedLatencyRuns } from '../helpers/fixed-latency-runs.js';
import { runWith } from '../helpers/synthetic-runs.js';

/** A JUnit document read back by junit2json (a <testsuites> root). */
const readSuites = async (xml: string) => (await parse(xml)) as TestSuites;

let dir: string;
let fast: string;
let slow: string;
// Never append to a real step summary from a test run on GitHub Actions.
const env = { GITHUB_STEP_SUMMARY: '' };
const compare = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(['compare', ...args], { env: { ...env, ...extraEnv } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-compare-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
// After all, not after each: the tests on bad input run at once, and none leaves a CLI running.
afterAll(() => killStartedClis());

async function writeResult(path: string, doc: unknown): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(doc));
  return path;
}

describe('loadlab compare on real runs', () => {
  beforeAll(async () => {
    // 5 + 5 real runs of 2 s each: the smallest design with a finite 95% interval of latency.
    const folders = await makeFixedLatencyRuns({
      outDir: dir,
      variants: [
        { name: 'fast', delayMs: 4 },
        { name: 'slow', delayMs: 8 },
      ],
      repeats: 5,
      seconds: 2,
    });
    fast = folders.fast!;
    slow = folders.slow!;
  }, 180_000);
  it('calls a 8 ms target worse than a 4 ms one with 5 runs each, and states the method', async () => {
    const { code, stdout, stderr } = await compare([fast, slow]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const row = (label: string) => lines.find((l) => l.startsWith(label))!.split(/\s{2,}/);
    const changes = (cells: string[]) => [...cells[3]!.matchAll(/[+-][\d.]+(?=%)/g)].map((m) => Number(m[0]));
    // The median: 8 ms against 4 ms plus the same overheads, so about +100%, the interval above 0.
    const p50 = row('p50 latency');
    expect(p50[4], p50.join(' | ')).toBe('worse');
    const [estimate, low] = changes(p50);
    expect(low).toBeGreaterThan(0);
    expect(estimate).toBeGreaterThan(30);
    expect(estimate).toBeLessThan(150);
    // The tail is noisier on a shared host (its interval may straddle 0), but it moves the same way.
    expect(changes(row('p90 latency'))[0]).toBeGreaterThan(0);
    expect(stdout).toContain(
      "method: Latency percentiles: geometric mean of the runs' percentiles, 95% CI from a two-stage bootstrap (runs, then their requests; 4000 resamples, expanded percentile), n=5 vs 5; other figures: Hodges-Lehmann shift, 95% CI from exact Mann-Whitney, n=5 vs 5",
    );
    expect(lines[0]).toMatch(/^compare fixed-latency: A = 5 runs \(.*fast\), B = 5 runs \(.*slow\)$/);
  });

  it('exits 1 when a threshold is exceeded with confidence, 0 when the interval lies within it', async () => {
    const failed = await compare([fast, slow, '--fail-on', 'p50:+20%']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /gate: fail\n {2}p50:\+20% fail: change \+[\d.]+%; its one-sided 95% lower bound .* lies beyond/,
    );
    const passed = await compare([fast, slow, '--fail-on', 'p50:+500%', '--fail-on', 'errorRate:+1pp']);
    expect(passed.stdout).toContain('gate: pass');
    expect(passed.code).toBe(0);
  });

  it('writes --json, --junit and --markdown, and appends the Markdown to $GITHUB_STEP_SUMMARY', async () => {
    const junit = join(dir, 'out', 'compare.xml');
    const markdown = join(dir, 'out', 'compare.md');
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const { code, stdout } = await compare(
      [fast, slow, '--json', '--junit', junit, '--markdown', markdown, '--fail-on', 'p50:+20%'],
      { GITHUB_STEP_SUMMARY: summary },
    );
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as Comparison;
    expect(doc.schema).toBe('loadlab/comparison@1');
    expect(doc.a.runs).toBe(5);
    expect(doc.metrics.find((m) => m.metric === 'p50')!.verdict).toBe('worse');
    expect(doc.gate).toBe('fail');
    const lint = spawnSync(
      'xmllint',
      ['--noout', '--schema', join(import.meta.dirname, '..', 'fixtures', 'junit-10.xsd'), junit],
      { encoding: 'utf8' },
    );
    expect(lint.status, lint.stderr).toBe(0);
    const cases = (await readSuites(await readFile(junit, 'utf8'))).testsuite![0]!.testcase!;
    expect(cases.find((c) => c.name === 'gate p50:+20%')!.failure).toHaveLength(1);
    const md = await readFile(markdown, 'utf8');
    expect(md).toMatch(/^### loadlab compare: fixed-latency\n\n\*\*Gate failed\*\*/);
    expect(await readFile(summary, 'utf8')).toBe(`# earlier step\n${md}\n`);
  });

  it('says inconclusive, not a verdict, for a folder with one run, and exits 4 on a gated metric', async () => {
    const one = await compare([join(fast, 'run-1'), join(slow, 'run-1'), '--fail-on', 'p50:+20%']);
    expect(one.code).toBe(4);
    const p50 = one.stdout.split('\n').find((l) => l.startsWith('p50 latency'))!;
    expect(p50).toContain(
      'inconclusive (not enough runs: n=1 vs 1; a finite 95% interval of a latency percentile needs at least 5 runs each)',
    );
    expect(one.stdout).toContain('gate: inconclusive');
    // Throughput is still one figure per run, with its own minimum.
    const rps = one.stdout.split('\n').find((l) => l.startsWith('throughput'))!;
    expect(rps).toContain('a finite 95% interval needs at least 4 runs each');
  });

  it('compares only the named phase with --phase, and names the phases a run has when one is missing', async () => {
    const whole = JSON.parse((await compare([fast, slow, '--json'])).stdout) as Comparison;
    const main = JSON.parse((await compare([fast, slow, '--json', '--phase', 'main'])).stdout) as Comparison;
    const p50 = (c: Comparison) => c.metrics.find((m) => m.metric === 'p50')!;
    // The phase's seconds hold nearly every request (not those answered after it ended).
    expect(main.metrics.every((m) => m.method === (m.metric.startsWith('p') ? 'bootstrap' : 'rank'))).toBe(
      true,
    );
    expect(p50(main).geoMean!.a).toBeCloseTo(p50(whole).geoMean!.a, -1);
    expect(p50(main).verdict).toBe('worse');
    const bad = await compare([fast, slow, '--phase', 'steady']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no phase named "steady"; its phases are "main"');
    expect(bad.stderr).toContain('[COMPARE_INPUT]');
  });
});

// Each test writes its own files and only reads what one CLI says: they run at once, a few at a time.
describe.concurrent('loadlab compare on bad input', () => {
  it('refuses runs of different scenarios with exit 2, naming what differs', async () => {
    const a = await writeResult(join(dir, 'bad-1', 'a', 'result.json'), runWith({}));
    const b = await writeResult(join(dir, 'bad-1', 'b', 'result.json'), runWith({ name: 'other' }));
    const { code, stderr } = await compare([a, b]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${b}: scenario name is "other", but ${a} is of "synthetic"`);
    expect(stderr).toContain('[COMPARE_MISMATCH]');
  });

  it('refuses a different resolved load, naming the field', async () => {
    const a = await writeResult(join(dir, 'bad-2', 'a', 'result.json'), runWith({}));
    const other = runWith({});
    other.scenario = {
      ...other.scenario,
      load: { ...other.scenario.load, requests: [{ ...other.scenario.load.requests[0]!, path: '/other' }] },
    } as ResultDocument['scenario'];
    const b = await writeResult(join(dir, 'bad-2', 'load', 'result.json'), other);
    const { code, stderr } = await compare([a, b]);
    expect(code).toBe(2);
    expect(stderr).toContain('the resolved load differs from');
    expect(stderr).toContain('load.requests[0].path ("/users/1" vs "/other")');
  });

  it('refuses a result of another schema with exit 2, naming the file and the schema', async () => {
    const future = { ...runWith({}), schema: 'loadlab/result@2' };
    const b = await writeResult(join(dir, 'bad-3', 'future', 'result.json'), future);
    const a = await writeResult(join(dir, 'bad-3', 'a', 'result.json'), runWith({}));
    const { code, stderr } = await compare([a, b]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${b}: schema: expected "loadlab/result@1", found "loadlab/result@2"`);
  });

  it('names missing and unreadable paths, both sides at once, with exit 2', async () => {
    const missing = join(dir, 'nowhere');
    const broken = join(dir, 'bad-4', 'broken', 'result.json');
    await mkdir(join(broken, '..'), { recursive: true });
    await writeFile(broken, '{ not json');
    const { code, stderr } = await compare([missing, broken]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${missing}: no such file or folder`);
    expect(stderr).toContain(`${broken}: is not valid JSON`);
    const empty = join(dir, 'bad-4', 'empty');
    await mkdir(empty, { recursive: true });
    const none = await compare([empty, broken]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`${empty}: expected a result.json in the folder or in its sub-folders`);
  });

  it('refuses bad --fail-on syntax with exit 2, listing every bad flag and the expected form', async () => {
    const a = await writeResult(join(dir, 'bad-5', 'a', 'result.json'), runWith({}));
    const { code, stderr, stdout } = await compare([a, a, '--fail-on', 'p99:10', '--fail-on', 'rps:+5%']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      '--fail-on "p99:10": expected metric:change such as "p99:+10%", "rps:-5%" or "errorRate:+0.5pp"',
    );
    expect(stderr).toContain('--fail-on "rps:+5%": rps is worse when lower, so its threshold is negative');
    expect(stderr).toContain('[BAD_THRESHOLD]');
  });

  it("gates on the scenario's gate: section when no --fail-on is given", async () => {
    const gated = join(dir, 'gated');
    for (let i = 1; i <= 4; i++) {
      await writeResult(
        join(gated, 'a', `run-${i}`, 'result.json'),
        runWith({ p99: 40 + i, gate: ['p99:+5%'] }),
      );
      await writeResult(
        join(gated, 'b', `run-${i}`, 'result.json'),
        runWith({ p99: 60 + i, gate: ['p99:+5%'] }),
      );
    }
    const { code, stdout } = await compare([join(gated, 'a'), join(gated, 'b')]);
    expect(stdout).toContain('p99:+5% fail');
    expect(code).toBe(1);
    const overridden = await compare([join(gated, 'a'), join(gated, 'b'), '--fail-on', 'p99:+100%']);
    expect(overridden.stdout).toContain('p99:+100% pass');
    expect(overridden.code).toBe(0);
  });

  it('writes the comparison as HTML with --html, linking each run that has its own report', async () => {
    const sides = join(dir, 'html');
    for (let i = 1; i <= 5; i++) {
      await writeResult(join(sides, 'a', `run-${i}`, 'result.json'), runWith({ p99: 40 + i }));
      await writeResult(join(sides, 'b', `run-${i}`, 'result.json'), runWith({ p99: 60 + i }));
    }
    await writeFile(join(sides, 'a', 'run-2', 'index.html'), '<p>run 2</p>');
    const page = join(sides, 'out', 'comparison.html');
    const { code, stderr } = await compare([join(sides, 'a'), join(sides, 'b'), '--html', page]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const html = await readFile(page, 'utf8');
    expect(html).toMatch(/<tr><td class="name">p99 latency<\/td>.*<td class="v-worse">worse<\/td>/);
    expect(html).toContain('two-stage bootstrap');
    expect(html).toContain('Hodges-Lehmann shift, 95% CI from exact Mann-Whitney, n=5 vs 5');
    // Only the run with an index.html beside its result.json is a link, relative to the page.
    expect(html.match(/<li><a href=/g)).toHaveLength(1);
    expect(html).toContain('<li><a href="../a/run-2/index.html">');
  });
});
