/**
 * A capacity search's terminal table, Markdown and JUnit suite, read back: the answer first, one
 * row per step, the knee; JUnit valid against junit-10.xsd with the search's verdict as its case.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { afterAll, describe, expect, it } from 'vitest';
import { capacityDocument, type CapacityPoint } from '../../src/analysis/index.js';
import {
  capacityMarkdown,
  capacityOverlayInput,
  capacitySuite,
  formatCapacity,
  renderJunit,
} from '../../src/report/index.js';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-capacity-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schema = join(import.meta.dirname, '..', 'fixtures', 'junit-10.xsd');

function point(step: number, rate: number, p99Ms: number, held: boolean): CapacityPoint {
  return {
    step,
    rate,
    held,
    achievedRps: Math.min(rate, 1000),
    p50Ms: p99Ms / 2,
    p99Ms,
    errors: held ? 0 : 3,
    errorRate: held ? 0 : 0.001,
    sent: rate * 2,
    dropped: 0,
    missed: held ? [] : [`p99Ms ${p99Ms} > 50 (phase:steady)`],
    dir: `step-${step}`,
    ...(step === 2 ? { generator: 'busy-host' as const } : {}),
  };
}

const settings = {
  startRate: 250,
  precision: 0.05,
  growth: 2,
  maxRate: 1e6,
  maxSteps: 24,
  stepS: 2,
  warmupS: 1,
};
const found = capacityDocument({
  scenario: 'known',
  startedAt: '2026-12-02T07:00:00.000Z',
  endedAt: '2026-12-02T07:00:30.000Z',
  target: 'http://127.0.0.1:9',
  settings,
  slo: [{ p99Ms: 50, during: 'phase:steady' }],
  steps: [
    point(1, 250, 6, true),
    point(2, 500, 7, true),
    point(3, 1000, 20, true),
    point(4, 2000, 900, false),
    point(5, 1500, 400, false),
    point(6, 1250, 200, false),
    point(7, 1125, 90, false),
    point(8, 1062.5, 55, false),
    point(9, 1031.25, 52, false),
  ],
  outcome: { kind: 'capacity', capacity: 1000, missedAt: 1031.25, precision: 0.03125 },
});

describe('capacity outputs', () => {
  it('prints the answer, one row per step, the knee and the cautions on the terminal', () => {
    const text = formatCapacity(found);
    const lines = text.split('\n');
    expect(lines[0]).toBe(found.headline);
    expect(text).toMatch(/step +rate\/s +achieved\/s +p50 ms +p99 ms +errors +SLO/);
    expect(text).toMatch(/\n +4 +2,000 +1,000 +450 +900 +3 \(0\.1%\) +missed\n/);
    expect(text).toContain('Knee (Kneedle): 1,000 req/s achieved at p99 20 ms (step 3, rate 1,000/s).');
    expect(text).toContain('1 of 9 steps (2) ran on a busy host');
    expect(text).toContain('step 9 missed: p99Ms 52 > 50 (phase:steady)');
  });

  it('writes Markdown with the headline in bold and a table of the curve', () => {
    const md = capacityMarkdown(found);
    expect(md).toContain('### loadlab capacity: known');
    expect(md).toContain('**Capacity 1000/s: every SLO held there and missed at 1031.3/s');
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(9);
  });

  it('writes JUnit that xmllint accepts: the search passes with a capacity, fails when nothing held, is skipped when inconclusive', async () => {
    const neverHeld = capacityDocument({
      ...found,
      settings,
      slo: [],
      steps: [point(1, 2, 90, false)],
      outcome: { kind: 'never-held', lowestTried: 1 },
    });
    const limited = capacityDocument({
      ...found,
      settings,
      slo: [],
      steps: found.steps.slice(0, 3),
      outcome: { kind: 'generator-limit', rate: 2000, reason: 'saturated' },
    });
    const xml = renderJunit([capacitySuite(found), capacitySuite(neverHeld), capacitySuite(limited)]);
    const file = join(dir, 'capacity.xml');
    writeFileSync(file, xml);
    const lint = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
    const suites = (await parse(xml)) as TestSuites;
    const outcomes = suites.testsuite?.map((s) => {
      const search = s.testcase?.[0];
      return search?.failure !== undefined ? 'failure' : search?.skipped !== undefined ? 'skipped' : 'passed';
    });
    expect(outcomes).toEqual(['passed', 'failure', 'skipped']);
    expect(suites.testsuite?.[0]?.testcase).toHaveLength(10);
  });

  it('hands the overlay report one variant with every step linked to its report, and the knee', () => {
    const overlay = capacityOverlayInput(found);
    expect(overlay.kind).toBe('capacity');
    expect(overlay.variants[0]?.points.map((p) => p.reportHref)).toEqual(
      found.steps.map((s) => `${s.dir}/index.html`),
    );
    expect(overlay.table[0]).toMatchObject({
      verdict: 'holds',
      cells: { capacity: '1,000', precision: '3.13%' },
    });
    expect(overlay.knees).toEqual([{ variant: 'known', achievedRps: 1000, p99Ms: 20, method: 'Kneedle' }]);
  });
});
