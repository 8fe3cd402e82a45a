import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIntoCompressedBase64, HistogramLogReader } from 'hdr-histogram-js';
import { createLatencyHistogram, decodeHistogram, mergeHistograms } from '../../src/metrics/index.js';
import type { ResultDocument } from '../../src/results/types.js';
import { killStartedClis, runCli, startCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-fault-'));
});
afterAll(async () => {
  killStartedClis();
  await rm(dir, { recursive: true, force: true });
});

const scenario = join(import.meta.dirname, '..', '..', 'scenarios', 'db-latency-window.yaml');

describe('a scheduled fault window (scenarios/db-latency-window.yaml)', () => {
  it('is applied on the load clock, recorded within ±100 ms, and lifts p99 by ≥ 40 ms (80% of its 50 ms) inside it', async () => {
    const out = join(dir, 'out');
    const { code, stderr } = await runCli(['run', scenario, '--out', out, '--quiet']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
    expect(result.faults).toHaveLength(1);
    const [window] = result.faults ?? [];
    expect(window).toMatchObject({
      on: 'db',
      kind: 'latency',
      attributes: { latency: 50, jitter: 0 },
      stream: 'downstream',
      toxicity: 1,
      plannedStartS: 5,
      plannedEndS: 10,
    });
    expect(Math.abs((window?.startS ?? 0) - 5)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((window?.endS ?? 0) - 10)).toBeLessThanOrEqual(0.1);
    // Whole seconds inside the window, and outside it with a second's margin on each side (the
    // first second, which opens the connections, left out).
    const inside = (t: number): boolean => t >= 5 && t + 1 <= 10;
    const outside = (t: number): boolean => (t >= 1 && t + 1 <= 4) || (t >= 11 && t + 1 <= 15);
    const secondsIn = result.series.filter((p) => inside(p.t));
    expect(secondsIn).toHaveLength(5);
    // Every request inside waits the 50 ms at least (never early), so every second's median does.
    for (const p of secondsIn) expect(p.latencyMs.p50).toBeGreaterThanOrEqual(50);
    // The p99 of all requests inside the window against all outside it, merged exactly from the
    // run's interval log (one histogram a second).
    const { inside: p99In, outside: p99Out } = p99Split(
      await readFile(join(out, 'latency.hlog'), 'utf8'),
      inside,
      outside,
    );
    // A band, not the exact setting: the seconds outside have a tail of their own (a GC, a busy
    // host), so the lift is held to at least 80% of the toxic's 50 ms.
    expect(p99In - p99Out).toBeGreaterThanOrEqual(40);
    expect(result.summary.errors.total).toBe(0);
  }, 60_000);

  it('is cut where an interrupted run ends: Ctrl-C inside the window records endS there, exit 130', async () => {
    const out = join(dir, 'out-interrupted');
    const run = startCli([
      'run',
      scenario,
      '--out',
      out,
      '--set',
      'faults[0].at=1s',
      '--set',
      'faults[0].for=10s',
    ]);
    // The window runs from 1 s to 11 s of the load: it is open once the fault proxy holds the
    // window's toxic on the database's proxy (read from the proxy's admin API).
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/fault proxy admin API at http/);
    const admin = /fault proxy admin API at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr())?.[1] as string;
    const toxics = async () =>
      ((await (await fetch(`${admin}/proxies/db/toxics`)).json()) as unknown[]).length;
    await expect.poll(toxics, { timeout: 20_000, interval: 50 }).toBe(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(existsSync(join(out, 'result.json'))).toBe(true);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
    expect(result.interrupted).toBe(true);
    const [window] = result.faults ?? [];
    expect(window).toMatchObject({ on: 'db', kind: 'latency', plannedStartS: 1, plannedEndS: 11 });
    expect(window?.endS).toBeGreaterThan(window?.startS ?? Infinity);
    expect(window?.endS).toBeLessThan(11);
    expect(Math.abs((window?.endS ?? 0) - result.summary.durationS)).toBeLessThanOrEqual(0.5);
  }, 30_000);
});

/** p99 in ms of the requests in the seconds `inside` selects and of those `outside` selects. */
function p99Split(
  log: string,
  inside: (t: number) => boolean,
  outside: (t: number) => boolean,
): { inside: number; outside: number } {
  const reader = new HistogramLogReader(log, 64);
  const merged = { inside: createLatencyHistogram(), outside: createLatencyHistogram() };
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    const t = Math.round((h.startTimeStampMsec - reader.startTimeSec * 1000) / 1000);
    const side = inside(t) ? merged.inside : outside(t) ? merged.outside : undefined;
    if (side !== undefined) mergeHistograms(side, decodeHistogram(encodeIntoCompressedBase64(h)));
  }
  expect(merged.inside.totalCount).toBeGreaterThan(400);
  expect(merged.outside.totalCount).toBeGreaterThan(400);
  return {
    inside: merged.inside.getValueAtPercentile(99) / 1000,
    outside: merged.outside.getValueAtPercentile(99) / 1000,
  };
}
