import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderComparisonHtml } from '../../src/report/index.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { comparisonInput } from '../helpers/comparison-fixture.js';

const missing = chromiumMissing();
if (missing !== undefined && process.env.CI === 'true') {
  throw new Error(`${missing} — CI must run the browser tests`);
}
if (missing !== undefined) console.warn(`skipping the browser test of the comparison report: ${missing}`);

/** The little of a DOM canvas and a chart.js chart the test reads. */
interface Canvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface ChartLike {
  data: { datasets: { label: string }[] };
  legend: { legendItems: { text: string }[] };
  chartArea: { top: number; bottom: number };
  getDatasetMeta(i: number): { data: { x: number; y: number }[] };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-comparison-browser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('the comparison report in a browser', () => {
  it('draws both sides’ latency over time and their spectra, offline and without errors', async () => {
    const file = join(dir, 'comparison.html');
    await writeFile(file, renderComparisonHtml(comparisonInput()));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        if (!r.url().startsWith('file://')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForLoadState('load');

      const drawn = await page.$$eval('canvas', (canvases) =>
        canvases.map((element): [string, number] => {
          const c = element as unknown as Canvas & { id: string };
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
          return [c.id, n];
        }),
      );
      expect(drawn.map(([id]) => id)).toEqual(['latency-time-chart', 'spectrum-chart']);
      for (const [id, n] of drawn) expect(n, id).toBeGreaterThan(1000);

      const charts = await page.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, ChartLike> };
        const time = w.loadlabCharts['latency-time-chart']!;
        const spectrum = w.loadlabCharts['spectrum-chart']!;
        // Mean pixel height of A's and B's median p99 lines (smaller y is higher on the page).
        const meanY = (i: number) => {
          const ys = time.getDatasetMeta(i).data.map((e) => e.y);
          return ys.reduce((s, y) => s + y, 0) / ys.length;
        };
        return {
          datasets: time.data.datasets.length,
          legend: time.legend.legendItems.map((l) => l.text),
          aP99: meanY(0),
          bP99: meanY(2),
          spectra: spectrum.data.datasets.map((d) => d.label),
        };
      });
      // Four median lines in the legend; twelve faint per-run lines left out of it.
      expect(charts.datasets).toBe(4 + 12);
      expect(charts.legend).toEqual([
        'A p99 (median of runs)',
        'A p50 (median of runs)',
        'B p99 (median of runs)',
        'B p50 (median of runs)',
      ]);
      // B (p99 about 14 ms) is drawn above A (about 10 ms).
      expect(charts.bP99).toBeLessThan(charts.aP99);
      expect(charts.spectra).toEqual(['A (6 runs added)', 'B (6 runs added)']);
      expect(await page.textContent('#verdict-table')).toContain('p99 latency');

      const shots = join('reports', 'test-screenshots');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'comparison.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
