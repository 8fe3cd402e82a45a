import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli.js';

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
  chartArea: { top: number; left: number; right: number };
  scales: { x: { getPixelForValue(v: number): number } };
  ctx: { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
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

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        if (!r.url().startsWith('file://')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(join(out, 'index.html')).href);
      await page.waitForLoadState('load');
      // Each chart canvas has drawn pixels: count the non-transparent ones.
      const drawn = await page.$$eval('canvas', (canvases) =>
        canvases.map((element) => {
          const c = element as unknown as Canvas;
          const ctx = c.getContext('2d');
          if (!ctx) return 0;
          const { data } = ctx.getImageData(0, 0, c.width, c.height);
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
          return n;
        }),
      );
      // throughput, latency, spectrum, and the service's event loop, memory and pool charts
      expect(drawn.length).toBe(6);
      for (const n of drawn) expect(n).toBeGreaterThan(1000);

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
      const areas = await page.evaluate(() => {
        const w = globalThis as unknown as { loadlabCharts: Record<string, FaultChart> };
        return Object.entries(w.loadlabCharts)
          .filter(([id]) => id !== 'spectrum-chart')
          .map(([, c]) => [c.chartArea.left, c.chartArea.right, c.$loadlabFaultBoxes[0]?.left]);
      });
      expect(areas).toHaveLength(5);
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
});
