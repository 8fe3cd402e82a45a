import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { renderReportHtml } from '../../src/report/index.js';
import { runCli } from '../helpers/cli.js';
import { breakerService, healthyService, syntheticResult } from '../helpers/synthetic-result.js';

const missing = chromiumMissing();
if (missing !== undefined && process.env.CI === 'true') {
  throw new Error(`${missing} — CI must run the browser tests`);
}
if (missing !== undefined) console.warn(`skipping the browser test of the report: ${missing}`);

/** The little of a DOM canvas the test reads (the project compiles without the DOM library). */
interface Canvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** The little of a chart.js chart the fault-window check reads. */
interface FaultChart {
  $loadlabFaultBoxes: { label: string; left: number; right: number }[];
  currentDevicePixelRatio: number;
  chartArea: { top: number; bottom: number; left: number; right: number };
  scales: { x: { getPixelForValue(v: number): number } };
  ctx: { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
  getDatasetMeta(i: number): { data: { x: number; y: number }[] };
  data: { datasets: { label: string }[] };
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>['newPage']>>;

/** Opens a report from disk, collecting console errors and any request that is not a file. */
async function openReport(page: Page, html: string): Promise<{ errors: string[]; requests: string[] }> {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(html).href);
  await page.waitForLoadState('load');
  return { errors, requests };
}

/** Each canvas's id and how many of its pixels are not transparent. */
async function drawnPixels(page: Page): Promise<[string, number][]> {
  return page.$$eval('canvas', (canvases) =>
    canvases.map((element): [string, number] => {
      const c = element as unknown as Canvas & { id: string };
      const ctx = c.getContext('2d');
      if (!ctx) return [c.id, 0];
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
      return [c.id, n];
    }),
  );
}

/** The plot area of every time chart (all but the spectrum and the scatter), and where it shades the first fault. */
async function timeChartAreas(page: Page): Promise<Record<string, (number | undefined)[]>> {
  return page.evaluate(() => {
    const w = globalThis as unknown as { loadlabCharts: Record<string, FaultChart> };
    return Object.fromEntries(
      Object.entries(w.loadlabCharts)
        .filter(([id]) => id !== 'spectrum-chart' && id !== 'latency-throughput-chart')
        .map(([id, c]) => [id, [c.chartArea.left, c.chartArea.right, c.$loadlabFaultBoxes[0]?.left]]),
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-browser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('the HTML report in a browser', () => {
  it('opens from disk with no network request and no console error, and every chart draws', async () => {
    const scenario = join(dir, 'browser.yaml');
    await writeFile(
      scenario,
      `name: browser-check
load:
  model: closed
  phases:
    - { name: one, duration: 2s, connections: 2 }
    - { name: two, duration: 2s, connections: 4 }
  requests:
    - { path: "/users/{{uniform 1 100}}" }
`,
    );
    const out = join(dir, 'out');
    const run = await runCli(['run', scenario, '--out', out, '--quiet']);
    expect(run.code).toBe(0);
    // A fault window over seconds 1–3, added to the result and the report rebuilt from it: the
    // report must shade it on the latency chart (and `loadlab report` must keep working).
    const resultPath = join(out, 'result.json');
    const result = JSON.parse(await readFile(resultPath, 'utf8')) as Record<string, unknown>;
    result.faults = [{ on: 'db', kind: 'latency', startS: 1, endS: 3 }];
    await writeFile(resultPath, JSON.stringify(result));
    const rebuilt = await runCli(['report', resultPath]);
    expect(rebuilt.code).toBe(0);

    const withBreaker = (result.series as { service?: { breakerState?: number } }[]).some(
      (p) => typeof p.service?.breakerState === 'number',
    );

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const { errors, requests } = await openReport(page, join(out, 'index.html'));
      // Each chart canvas has drawn pixels: count the non-transparent ones.
      const drawn = await drawnPixels(page);
      // throughput, latency, the breaker when the service reports it, the service's event loop,
      // memory and pool charts, the spectrum, and latency against throughput
      expect(drawn.map(([id]) => id)).toEqual([
        'throughput-chart',
        'latency-chart',
        ...(withBreaker ? ['breaker-chart'] : []),
        'eventloop-chart',
        'memory-chart',
        'pool-chart',
        'spectrum-chart',
        'latency-throughput-chart',
      ]);
      for (const [id, n] of drawn) expect(n, id).toBeGreaterThan(1000);

      // The fault window is shaded on the latency chart where seconds 1–3 are, in red.
      const fault = await page.evaluate(() => {
        const w = globalThis as unknown as {
          loadlabCharts: Record<string, FaultChart>;
        };
        const chart = w.loadlabCharts['latency-chart'] as FaultChart;
        const box = chart.$loadlabFaultBoxes[0];
        const ratio = chart.currentDevicePixelRatio;
        const x = Math.round(((box.left + box.right) / 2) * ratio);
        const y = Math.round((chart.chartArea.top + 30) * ratio);
        const pixel = chart.ctx.getImageData(x, y, 1, 1).data;
        const [r, g, b] = [pixel[0], pixel[1], pixel[2]];
        return {
          box,
          expectLeft: chart.scales.x.getPixelForValue(1),
          expectRight: chart.scales.x.getPixelForValue(3),
          rgb: [r, g, b],
        };
      });
      expect(fault.box.label).toBe('db latency');
      expect(fault.box.left).toBeCloseTo(fault.expectLeft, 3);
      expect(fault.box.right).toBeCloseTo(fault.expectRight, 3);
      const [r, g, b] = fault.rgb as [number, number, number];
      expect(r).toBeGreaterThan(g);
      expect(r).toBeGreaterThan(b);

      // Every time chart has the same plot area and shades the window at the same x, so a second
      // can be followed down the page.
      const areas = Object.values(await timeChartAreas(page));
      expect(areas).toHaveLength(withBreaker ? 6 : 5);
      for (const area of areas) expect(area).toEqual(areas[0]);
      expect(await page.textContent('body')).toContain('browser-check');
      const shots = join('reports', 'test-screenshots');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
  it('draws the breaker and retries chart where the breaker opened, on the same plot area, and latency against throughput', async () => {
    // A synthetic 2-minute result: recommendations fail over 40–70 s, the breaker opens at 42 s.
    const result = syntheticResult({
      seconds: 120,
      service: breakerService(40, 70),
      faults: [{ on: 'recommendations', kind: 'http', startS: 40, endS: 70 }],
      p99: (t) => (t >= 40 && t < 70 ? 150 : 12),
      requests: (t) => (t >= 40 && t < 70 ? 600 : 1000 + (t % 7)),
    });
    const folder = join(dir, 'breaker');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'result.json'), JSON.stringify(result));
    expect((await runCli(['report', join(folder, 'result.json')])).code).toBe(0);
    // The same run as a --target without breaker or retries figures: no breaker chart, no complaint.
    const plainHtml = join(dir, 'plain.html');
    await writeFile(plainHtml, renderReportHtml(syntheticResult({ seconds: 120, service: healthyService })));

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const { errors, requests } = await openReport(page, join(folder, 'index.html'));
      const drawn = await drawnPixels(page);
      expect(drawn.map(([id]) => id)).toContain('breaker-chart');
      expect(drawn.map(([id]) => id)).toContain('latency-throughput-chart');
      for (const [id, n] of drawn) expect(n, id).toBeGreaterThan(1000);

      // The breaker chart shares the time charts' plot area and shades the fault window at the same x.
      const areas = await timeChartAreas(page);
      expect(Object.keys(areas)).toContain('breaker-chart');
      for (const area of Object.values(areas)) expect(area).toEqual(areas['latency-chart']);

      // The state's step is at the top (open) inside 42–70 s and at the bottom (closed) outside.
      const breaker = await page.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, FaultChart> };
        const chart = w.loadlabCharts['breaker-chart'] as FaultChart;
        const points = chart.getDatasetMeta(0).data;
        return {
          label: chart.data.datasets[0]?.label,
          area: chart.chartArea,
          open: points[55]!.y,
          closed: points[20]!.y,
          halfOpen: points[70]!.y,
        };
      });
      expect(breaker.label).toBe('breaker state');
      expect(breaker.open).toBeCloseTo(breaker.area.top, 0);
      expect(breaker.closed).toBeCloseTo(breaker.area.bottom, 0);
      expect(breaker.halfOpen).toBeCloseTo((breaker.area.top + breaker.area.bottom) / 2, 0);

      // Latency against throughput: one point per second for p50 and p99, inside the plot area;
      // the fault seconds sit at 600 responses/s, left of the others.
      const scatter = await page.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, FaultChart> };
        const chart = w.loadlabCharts['latency-throughput-chart'] as FaultChart;
        return chart.data.datasets.map((d, i) => ({
          label: d.label,
          xs: chart.getDatasetMeta(i).data.map((e) => e.x),
          ys: chart.getDatasetMeta(i).data.map((e) => e.y),
          area: chart.chartArea,
        }));
      });
      expect(scatter.map((d) => [d.label, d.xs.length])).toEqual([
        ['p50', 90],
        ['p99', 90],
        ['p50, in a fault window', 30],
        ['p99, in a fault window', 30],
      ]);
      for (const d of scatter) {
        for (const x of d.xs) expect(x).toBeGreaterThanOrEqual(d.area.left - 0.5);
        for (const x of d.xs) expect(x).toBeLessThanOrEqual(d.area.right + 0.5);
        for (const y of d.ys) expect(y).toBeGreaterThanOrEqual(d.area.top - 0.5);
        for (const y of d.ys) expect(y).toBeLessThanOrEqual(d.area.bottom + 0.5);
      }
      expect(Math.max(...scatter[3]!.xs)).toBeLessThan(Math.min(...scatter[1]!.xs));
      const shots = join('reports', 'test-screenshots');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'report-breaker.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);

      const plainPage = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const opened = await openReport(plainPage, plainHtml);
      const plainDrawn = await drawnPixels(plainPage);
      expect(plainDrawn.map(([id]) => id)).not.toContain('breaker-chart');
      for (const [id, n] of plainDrawn) expect(n, id).toBeGreaterThan(1000);
      expect(opened.errors).toEqual([]);
      expect(opened.requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
