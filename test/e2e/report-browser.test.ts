import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    - { name: one, duration: 1s, connections: 2 }
    - { name: two, duration: 1s, connections: 4 }
  requests:
    - { path: "/users/{{uniform 1 100}}" }
`,
    );
    const out = join(dir, 'out');
    const run = await runCli(['run', scenario, '--out', out, '--quiet']);
    expect(run.code).toBe(0);

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
      expect(drawn.length).toBeGreaterThanOrEqual(2);
      for (const n of drawn) expect(n).toBeGreaterThan(1000);
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
