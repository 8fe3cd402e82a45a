import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import type { Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { toString } from 'mdast-util-to-string';
import { gfmTable } from 'micromark-extension-gfm-table';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRunSets, type Comparison } from '../../src/analysis/index.js';
import {
  comparisonMarkdown,
  comparisonSuite,
  formatComparison,
  renderJunit,
  runMarkdown,
  runSuite,
} from '../../src/report/index.js';
import { parseThreshold, type Threshold } from '../../src/shared/index.js';
import { syntheticResult } from '../helpers/synthetic-result.js';
import { runsWithP99 } from '../helpers/synthetic-runs.js';

/** A JUnit document read back by junit2json (a <testsuites> root). */
const readSuites = async (xml: string) => (await parse(xml)) as TestSuites;

const dir = mkdtempSync(join(tmpdir(), 'loadlab-ci-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schema = join(import.meta.dirname, '..', 'fixtures', 'junit-10.xsd');

/** xmllint's verdict on `xml` against Jenkins' junit-10.xsd: exit status and messages. */
function validate(xml: string): { status: number | null; output: string } {
  const file = join(dir, `junit-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  return { status: r.status, output: r.stderr };
}

function tablesOf(markdown: string): string[][][] {
  const tree = fromMarkdown(markdown, {
    extensions: [gfmTable()],
    mdastExtensions: [gfmTableFromMarkdown()],
  });
  return tree.children
    .filter((n): n is Table => n.type === 'table')
    .map((t) => t.children.map((r) => r.children.map((c) => toString(c))));
}

const threshold = (t: string) => (parseThreshold(t) as { threshold: Threshold }).threshold;
const A = [41.2, 39.8, 44.1, 40.5, 42.0];
const B = [47.9, 45.3, 50.2, 46.1, 44.8];
const comparison: Comparison = compareRunSets(
  { label: 'A', sources: A.map((_, i) => `base/run-${i + 1}/result.json`), results: runsWithP99(A) },
  { label: 'B', sources: B.map((_, i) => `pr/run-${i + 1}/result.json`), results: runsWithP99(B) },
  { thresholds: ['p99:+3%', 'p99:+10%', 'p99:+30%'].map(threshold) },
);
const tooFew = compareRunSets(
  { label: 'A', sources: ['a.json'], results: runsWithP99([40]) },
  { label: 'B', sources: ['b.json'], results: runsWithP99([50]) },
);

describe('JUnit XML', () => {
  it('fails the schema check when the document is broken, so the checks below can fail', () => {
    const broken = renderJunit([comparisonSuite(comparison)]).replace(' tests="', ' testz="');
    expect(validate(broken).status).not.toBe(0);
  });

  it('writes a comparison that xmllint accepts against junit-10.xsd and junit2json reads back', async () => {
    const xml = renderJunit([comparisonSuite(comparison, { timestamp: '2026-12-02T03:00:00.000Z' })]);
    expect(validate(xml)).toEqual({ status: 0, output: expect.stringContaining('validates') });
    const doc = await readSuites(xml);
    const suite = doc.testsuite![0]!;
    expect(suite.name).toBe('loadlab compare synthetic: A vs B');
    const cases = suite.testcase!;
    expect(cases.length).toBe(comparison.metrics.length + 3);
    const byName = new Map(cases.map((c) => [c.name, c]));
    // The metric that got worse fails with its numbers; those with no change pass.
    expect(byName.get('p99: p99 latency')!.failure![0]!.message).toContain('+12.6% [+4.54%, +21.8%]');
    expect(byName.get('p50: p50 latency')!.failure).toBeUndefined();
    // Each threshold is a case: failed, skipped (inconclusive) with its reason, passed.
    expect(byName.get('gate p99:+3%')!.failure![0]!.message).toMatch(/^p99:\+3% failed: change \+12\.6%/);
    expect(byName.get('gate p99:+10%')!.skipped![0]!.message).toMatch(
      /^inconclusive: .*straddle the threshold \+10%$/,
    );
    expect(byName.get('gate p99:+30%')!.failure).toBeUndefined();
    expect(byName.get('gate p99:+30%')!.skipped).toBeUndefined();
    expect(suite.failures).toBe(2);
    expect(suite.skipped).toBe(1);
    expect(suite.tests).toBe(cases.length);
    expect(suite.properties).toContainEqual({
      name: 'method',
      value: 'Hodges-Lehmann shift, 95% CI from exact Mann-Whitney, n=5 vs 5',
    });
  });

  it('skips inconclusive metrics with the reason, naming n', async () => {
    const xml = renderJunit([comparisonSuite(tooFew)]);
    expect(validate(xml).status).toBe(0);
    const p99 = (await readSuites(xml)).testsuite![0]!.testcase!.find((c) => c.name === 'p99: p99 latency')!;
    expect(p99.skipped![0]!.message).toBe(
      'inconclusive: not enough runs: n=1 vs 1; a finite 95% interval needs at least 4 runs each (or 3 + 5, 2 + 8)',
    );
  });

  it('writes a run with one case per SLO check that validates', async () => {
    const result = syntheticResult({ seconds: 20 });
    result.slo = [
      { name: 'p99Ms', limit: 50, actual: 20, held: true, margin: 30 },
      { name: 'errorRate', limit: 0.001, actual: 0.002, held: false, margin: -0.001 },
      { name: 'p50Ms', limit: 5, actual: 0, held: false, margin: 0, reason: 'not enough data' },
    ];
    const xml = renderJunit([runSuite(result)]);
    expect(validate(xml).status).toBe(0);
    const cases = (await readSuites(xml)).testsuite![0]!.testcase!;
    expect(cases.map((c) => [c.name, c.failure !== undefined, c.skipped !== undefined])).toEqual([
      ['slo p99Ms', false, false],
      ['slo errorRate', true, false],
      ['slo p50Ms', false, true],
      ['run completed', false, false],
    ]);
  });

  it('escapes markup and replaces characters XML cannot hold, still valid and read back verbatim', async () => {
    const nasty = 'a <b> & "c" \'d\' ]]> \u0001 \uD800 e\nf 🚀';
    const xml = renderJunit([
      {
        name: nasty,
        properties: { [nasty]: nasty },
        cases: [
          {
            name: nasty,
            classname: nasty,
            outcome: { kind: 'failure', type: nasty, message: nasty },
            output: nasty,
          },
          { name: 'skip', classname: 'x', outcome: { kind: 'skipped', message: nasty } },
        ],
      },
    ]);
    expect(validate(xml).status).toBe(0);
    const suite = (await readSuites(xml)).testsuite![0]!;
    const expected = 'a <b> & "c" \'d\' ]]> \uFFFD \uFFFD e\nf 🚀';
    expect(suite.testcase![0]!.failure![0]!.message).toBe(expected);
    expect(suite.testcase![0]!.failure![0]!.inner).toBe(expected);
    expect(suite.testcase![0]!['system-out']![0]).toBe(expected);
    expect(suite.testcase![1]!.skipped![0]!.message).toBe(expected);
  });
});

describe('Markdown', () => {
  it('puts the verdict first, then one well-formed table with a row per metric', () => {
    const md = comparisonMarkdown(comparison);
    const first = md.split('\n').find((l) => l.startsWith('**'));
    expect(first).toMatch(/^\*\*Gate failed\*\*: worse: p99 latency \(\+12\.6%\)/);
    expect(md.indexOf('**Gate failed**')).toBeLessThan(md.indexOf('| metric'));
    const tables = tablesOf(md);
    expect(tables).toHaveLength(1);
    const rows = tables[0]!;
    expect(rows[0]).toEqual(['metric', 'A (median)', 'B (median)', 'change [95% CI]', 'verdict']);
    expect(rows).toHaveLength(comparison.metrics.length + 1);
    expect(rows.every((r) => r.length === 5)).toBe(true);
    expect(rows.find((r) => r[0] === 'p99 latency')).toEqual([
      'p99 latency',
      '41.2 ms',
      '46.1 ms',
      '+12.6% [+4.54%, +21.8%]',
      'worse',
    ]);
    expect(md).toContain('Hodges-Lehmann shift, 95% CI from exact Mann-Whitney, n=5 vs 5');
  });

  it('says why a metric is inconclusive in its row', () => {
    const rows = tablesOf(comparisonMarkdown(tooFew))[0]!;
    expect(rows.find((r) => r[0] === 'p99 latency')![4]).toBe(
      'inconclusive (not enough runs: n=1 vs 1; a finite 95% interval needs at least 4 runs each (or 3 + 5, 2 + 8))',
    );
    expect(comparisonMarkdown(tooFew)).toMatch(/^\*\*Verdict\*\*: /m);
  });

  it('summarises a run with its SLO headline first and a one-row table', () => {
    const md = runMarkdown(syntheticResult({ seconds: 20 }));
    const tables = tablesOf(md);
    expect(tables).toHaveLength(1);
    expect(tables[0]![0]).toEqual(['requests', 'throughput', 'p50', 'p99', 'errors']);
    expect(md.indexOf('**')).toBeLessThan(md.indexOf('| requests'));
  });
});

describe('terminal table', () => {
  it('lists each metric with A, B, the change and the verdict, then the method and the gates', () => {
    const text = formatComparison(comparison);
    const lines = text.split('\n');
    expect(lines[0]).toBe('compare synthetic: A = 5 runs (base), B = 5 runs (pr)');
    const p99 = lines.find((l) => l.startsWith('p99 latency'))!;
    expect(p99.split(/\s{2,}/)).toEqual([
      'p99 latency',
      '41.2 ms',
      '46.1 ms',
      '+12.6% [+4.54%, +21.8%]',
      'worse',
    ]);
    expect(text).toContain('method: Hodges-Lehmann shift, 95% CI from exact Mann-Whitney, n=5 vs 5');
    expect(text).toContain('gate: fail');
    expect(text).toContain('  p99:+10% inconclusive: change +12.6%');
  });
});

describe('the margin note', () => {
  it('names each equivalence margin once', () => {
    const note = formatComparison(comparison)
      .split('\n')
      .find((l) => l.startsWith('"no change"'));
    expect(note).toBe(
      '"no change": the interval lies within ±2%, ±0.1pp (error rate); "worse"/"better": it lies wholly on one side of 0.',
    );
  });
});
