import { describe, expect, it } from 'vitest';
import { overlayDataElementId, renderOverlayReportHtml } from '../../src/report/index.js';
import type { OverlayChartData } from '../../src/report/overlay-data.js';
import { capacityOverlayInput, sweepOverlayInput } from '../helpers/overlay-fixture.js';

function chartData(html: string): OverlayChartData {
  const match = new RegExp(
    `<script type="application/json" id="${overlayDataElementId}">(.*?)</script>`,
    's',
  ).exec(html);
  if (match === null) throw new Error('no chart data in the page');
  return JSON.parse(match[1]!) as OverlayChartData;
}

describe('the overlay report', () => {
  it('escapes every text from the input, in the page and in the embedded data', () => {
    const input = sweepOverlayInput();
    input.method = 'm </script><script>alert(1)</script>';
    input.columns.push({ key: 'x', heading: '<img src=x>' });
    const html = renderOverlayReportHtml(input);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x>');
    expect(html).not.toContain('pool=64 <b>');
    expect(html).toContain('pool=64 &lt;b&gt;');
    expect(html).toContain('service exited with code 1 &lt;stderr&gt;');
    expect(html).toContain('&lt;sweep&gt;');
    expect(chartData(html).variants[2]!.name).toBe('pool=64 <b>');
  });

  it('loads nothing from anywhere: a strict policy and no external source', () => {
    const html = renderOverlayReportHtml(sweepOverlayInput());
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  it('lists every run as a plain link, percent-encoded, and a path is never read as a scheme', () => {
    const input = sweepOverlayInput();
    input.variants[0]!.points[0]!.reportHref = 'javascript:alert(1)/a b#c.html';
    const html = renderOverlayReportHtml(input);
    expect(html).toContain('href="pool-8/run-2/index.html"');
    expect(html).toContain('href="javascript%3Aalert(1)/a%20b%23c.html"');
    expect(html).not.toContain('href="javascript:');
    expect(html.match(/<li><a href=/g)).toHaveLength(6);
  });

  it('draws the headline, the method, the failed variants and the table in the input’s column order', () => {
    const html = renderOverlayReportHtml(sweepOverlayInput());
    expect(html).toContain('service.db.pool.max=8 wins: p99 20 ms, 10% below pool=4 &amp; holds the SLO.');
    expect(html).toContain('Medians of 3 repeats');
    expect(html).toMatch(/<ul id="failed-variants"><li><b>pool=64 &lt;b&gt;<\/b>: service exited/);
    const head = /<thead><tr>(.*?)<\/tr><\/thead>/.exec(html)![1]!.replace(/<[^>]+>/g, '|');
    expect(head.split('|').filter((s) => s !== '')).toEqual([
      'rank',
      'variant',
      'p99 [95% CI]',
      'responses/s',
      'verdict',
    ]);
    expect(html).toMatch(
      /<td class="name">pool=8 <span class="pareto-mark">◆ Pareto front<\/span><\/td><td>20 ms \[20, 22\]<\/td><td>498<\/td><td class="v-winner">winner<\/td>/,
    );
  });

  it('puts spectra on the log axis, leaves out p100, and passes the Pareto front and the knees', () => {
    const sweep = chartData(renderOverlayReportHtml(sweepOverlayInput()));
    const spectrum = sweep.variants[0]!.spectrum;
    expect(spectrum.map((s) => s.x)).toEqual([1, 2, 10, 100, 1000, 10000]);
    expect(spectrum.map((s) => s.percentile)).not.toContain(100);
    // The front passes through the medians of pool=8's repeats.
    expect(sweep.pareto).toEqual([{ x: 498, y: 21, variant: 'pool=8' }]);
    expect(sweep.variants.map((v) => v.onPareto)).toEqual([false, true, false]);
    // Repeats at one offered rate are not joined by a line; a capacity search's steps are.
    expect(sweep.variants[0]!.line).toBe(false);
    const capacity = chartData(renderOverlayReportHtml(capacityOverlayInput()));
    expect(capacity.variants[0]!.line).toBe(true);
    expect(capacity.variants[0]!.points.map((p) => p.offered)).toEqual([100, 200, 400, 800, 1000]);
    expect(capacity.variants[0]!.points[4]!.limit).toBe('generator event loop saturated');
    expect(capacity.knees).toEqual([{ x: 396, y: 9, variant: 'service', method: 'Kneedle' }]);
  });

  it('a variant’s own position places it on the Pareto view', () => {
    const input = capacityOverlayInput();
    input.variants[0]!.position = { achievedRps: 396, p99Ms: 9 };
    input.pareto = ['service'];
    expect(chartData(renderOverlayReportHtml(input)).pareto).toEqual([{ x: 396, y: 9, variant: 'service' }]);
  });

  it('says so when no variant was measured', () => {
    const input = sweepOverlayInput();
    input.variants = [input.variants[2]!];
    const html = renderOverlayReportHtml(input);
    expect(html).toContain('No variant was measured.');
    expect(html).not.toContain('<canvas');
  });
});
