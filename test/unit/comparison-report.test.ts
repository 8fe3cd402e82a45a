import { describe, expect, it } from 'vitest';
import { comparisonDataElementId, renderComparisonHtml } from '../../src/report/index.js';
import type { ComparisonChartData } from '../../src/report/comparison-data.js';
import { medianSeconds } from '../../src/report/comparison-data.js';
import { settingDifferences } from '../../src/report/comparison-sides.js';
import { comparisonInput } from '../helpers/comparison-fixture.js';

function chartData(html: string): ComparisonChartData {
  const match = new RegExp(
    `<script type="application/json" id="${comparisonDataElementId}">(.*?)</script>`,
    's',
  ).exec(html);
  if (match === null) throw new Error('no chart data in the page');
  return JSON.parse(match[1]!) as ComparisonChartData;
}

// Built once: the runs' histograms take a moment to record and encode.
const input = comparisonInput();
const html = renderComparisonHtml(input);

describe('the comparison report', () => {
  it('shows the verdict table with intervals, p, n, the gate and the method', () => {
    const p99 = input.comparison.metrics.find((m) => m.metric === 'p99')!;
    expect(p99.verdict).toBe('worse');
    const row = /<tr><td class="name">p99 latency<\/td>(.*?)<\/tr>/.exec(html)![1]!;
    expect(row).toMatch(
      /<td class="num">\+[\d.]+% \[\+[\d.]+%, \+[\d.]+%\]<\/td><td class="v-worse">worse<\/td>/,
    );
    expect(row).toContain('<td class="num">6 pairs</td>');
    expect(row).toMatch(/<td class="num">0\.0\d+ \(exact\)<\/td>/);
    expect(html).toContain('<th>change [95% CI]</th>');
    expect(html).toContain(input.comparison.method);
    expect(html).toMatch(/<td class="name">p99:\+10%<\/td><td class="g-fail">fail<\/td>/);
    expect(html).toContain('duet: both at once, paired per repeat');
    // Both methods, each with the fewest runs it needs.
    expect(html).toContain('(a finite two-sided interval needs at least 6 pairs)');
    expect(html).toContain(
      '<b>Gate method.</b> one-sided 95% bound in each threshold&#39;s direction, from the exact Wilcoxon signed-rank distribution, 6 pairs (a finite bound needs at least 5 pairs).',
    );
  });

  it('puts A and B side by side: what each is, the settings that differ, and each run’s report', () => {
    expect(html).toContain('--a-target http://127.0.0.1:1 &lt;main&gt;');
    expect(html).toContain('<code>service.db.pool.max</code> = 20');
    expect(html).toMatch(/side-a[\s\S]*<code>service\.db\.pool\.max<\/code> = (\d+|absent)/);
    expect(html.match(/<li><a href="[ab]\/run-\d\/index\.html">/g)).toHaveLength(12);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  it('adds each side’s histograms into one spectrum, and takes each second’s median over the runs', () => {
    const data = chartData(html);
    const [a, b] = data.sides;
    expect(a.responses).toBe(6 * 4000);
    const at = (side: typeof a, percentile: number) =>
      side.spectrum.find((s) => s.percentile >= percentile)!.ms;
    expect(at(b, 99) / at(a, 99)).toBeCloseTo(1.4, 1);
    expect(a.runs).toHaveLength(6);
    expect(data.end).toBe(20);
    expect(
      medianSeconds([
        [
          { t: 0, p50: 1, p99: 10 },
          { t: 1, p50: null, p99: null },
        ],
        [
          { t: 0, p50: 3, p99: 30 },
          { t: 1, p50: 2, p99: 20 },
        ],
        [{ t: 0, p50: 2, p99: 50 }],
      ]),
    ).toEqual([
      { t: 0, p50: 2, p99: 30 },
      { t: 1, p50: 2, p99: 20 },
    ]);
  });

  it('lists the scenario paths where the sides differ, nested and in arrays', () => {
    expect(
      settingDifferences(
        { service: { db: { pool: { max: 5 } } }, load: { phases: [{ rate: 1 }, { rate: 2 }] } },
        { service: { db: { pool: { max: 20 } }, cache: true }, load: { phases: [{ rate: 1 }, { rate: 3 }] } },
      ),
    ).toEqual([
      { path: 'load.phases[1].rate', a: '2', b: '3' },
      { path: 'service.cache', a: 'absent', b: 'true' },
      { path: 'service.db.pool.max', a: '5', b: '20' },
    ]);
  });
});
