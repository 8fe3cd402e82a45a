import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOverlayReportHtml, type OverlayReportInput } from '../../src/report/index.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { capacityOverlayInput, sweepOverlayInput } from '../helpers/overlay-fixture.js';

const missing = chromiumMissing();
if (missing !== undefined && process.env.CI === 'true') {
  throw new Error(`${missing} — CI must run the browser tests`);
}
if (missing !== undefined) console.warn(`skipping the browser test of the overlay report: ${missing}`);

/** The little of a DOM canvas and a chart.js chart the test reads. */
interface Canvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
  getBoundingClientRect(): { left: number; top: number };
}
interface ChartLike {
  canvas: Canvas;
  data: { datasets: { label: string; data: { point?: { href: string | null } }[] }[] };
  getDatasetMeta(i: number): { data: { x: number; y: number }[] };
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>['newPage']>>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-overlay-browser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the overlay page and a stand-in report at every run's link; returns the page's path. */
async function writeOverlay(name: string, input: OverlayReportInput): Promise<string> {
  const folder = join(dir, name);
  for (const variant of input.variants) {
    for (const point of variant.points) {
      if (point.reportHref === undefined) continue;
      const file = join(folder, point.reportHref);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `<!doctype html><title>run</title><p>report of ${point.reportHref}</p>`);
    }
  }
  const page = join(folder, 'overlay.html');
  await writeFile(page, renderOverlayReportHtml(input));
  return page;
}

async function open(page: Page, file: string): Promise<{ errors: string[]; requests: string[] }> {
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
  return { errors, requests };
}

async function drawnPixels(page: Page): Promise<[string, number][]> {
  return page.$$eval('canvas', (canvases) =>
    canvases.map((element): [string, number] => {
      const c = element as unknown as Canvas & { id: string };
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
      return [c.id, n];
    }),
  );
}

describe.skipIf(missing !== undefined)('the overlay report in a browser', () => {
  it('draws every variant’s curve and spectrum offline, and a click on a run opens that run’s report', async () => {
    const sweep = await writeOverlay('sweep', sweepOverlayInput());
    const capacity = await writeOverlay('capacity', capacityOverlayInput());
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      const { errors, requests } = await open(page, sweep);
      const drawn = await drawnPixels(page);
      expect(drawn.map(([id]) => id)).toEqual(['latency-throughput-chart', 'spectrum-chart']);
      for (const [id, n] of drawn) expect(n, id).toBeGreaterThan(1000);
      const labels = await page.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, ChartLike> };
        return Object.fromEntries(
          Object.entries(w.loadlabCharts).map(([id, c]) => [id, c.data.datasets.map((d) => d.label)]),
        );
      });
      expect(labels).toEqual({
        'latency-throughput-chart': [
          'pool=4 p99',
          'pool=4 p50',
          'pool=8 p99 (Pareto front)',
          'pool=8 p50',
          'Pareto front',
        ],
        'spectrum-chart': ['pool=4', 'pool=8'],
      });
      const shots = join('reports', 'test-screenshots');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'overlay-sweep.png'), fullPage: true });

      // Click the second repeat of pool=8's p99 mark: the page goes to that run's report.
      const target = await page.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, ChartLike> };
        const chart = w.loadlabCharts['latency-throughput-chart']!;
        const element = chart.getDatasetMeta(2).data[1]!;
        const box = chart.canvas.getBoundingClientRect();
        return {
          x: box.left + element.x,
          y: box.top + element.y,
          href: chart.data.datasets[2]!.data[1]!.point!.href,
        };
      });
      expect(target.href).toBe('pool-8/run-2/index.html');
      await page.mouse.move(target.x, target.y);
      await page.mouse.click(target.x, target.y);
      await page.waitForURL(/pool-8\/run-2\/index\.html$/);
      expect(await page.textContent('body')).toContain('report of pool-8/run-2/index.html');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);

      const second = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      const opened = await open(second, capacity);
      for (const [id, n] of await drawnPixels(second)) expect(n, id).toBeGreaterThan(1000);
      const capacityLabels = await second.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, ChartLike> };
        return w.loadlabCharts['latency-throughput-chart']!.data.datasets.map((d) => d.label);
      });
      expect(capacityLabels).toEqual(['service p99', 'service p50', 'knee']);
      await second.screenshot({ path: join(shots, 'overlay-capacity.png'), fullPage: true });
      expect(opened.errors).toEqual([]);
      expect(opened.requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
