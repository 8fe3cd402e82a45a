/**
 * A `down` fault through the real CLI: the database's proxy is disabled for a window of the run
 * and enabled again. The service's answers say so: errors (5xx from the service, which cannot
 * reach its database) in the seconds inside the window, none in the seconds well outside it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/types.js';
import { killStartedClis, runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-down-'));
});
afterAll(async () => {
  killStartedClis();
  await rm(dir, { recursive: true, force: true });
});

// 50 requests/s for 10 s with the cache off, so every request needs the database.
const scenario = join(import.meta.dirname, '..', '..', 'scenarios', 'db-latency-window.yaml');

describe('a down fault (faults: [{ at: 2s, for: 2s, on: db, down: true }])', () => {
  it('makes the service fail inside the window, recover after it, and is recorded in faults[]', async () => {
    const out = join(dir, 'out');
    const { code, stderr } = await runCli([
      'run',
      scenario,
      '--out',
      out,
      '--quiet',
      '--set',
      'faults[0]={at: 2s, for: 2s, on: db, down: true}',
      '--set',
      'load.phases[0]={duration: 10s, rate: 50}',
      // Requests caught by the window fail within half a second of its end, not two.
      '--set',
      'service.db.queryTimeoutMs=500',
      '--set',
      'service.db.pool.acquireTimeoutMs=500',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0); // the scenario sets no SLO
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
    expect(result.faults).toHaveLength(1);
    const [window] = result.faults ?? [];
    expect(window).toMatchObject({
      on: 'db',
      kind: 'down',
      attributes: {},
      plannedStartS: 2,
      plannedEndS: 4,
    });
    expect(window?.error).toBeUndefined();
    const startS = window?.startS ?? NaN;
    const endS = window?.endS ?? NaN;
    expect(startS).toBeGreaterThanOrEqual(2);
    expect(endS).toBeGreaterThan(startS);
    const series = result.series.map((p) => ({
      t: p.t,
      requests: p.requests,
      errors: p.errors,
      byKind: p.errorsByKind,
    }));
    // Seconds (by due time) wholly inside the window: the service, with no database, answers 5xx.
    const inside = series.filter((p) => p.t >= Math.ceil(startS) && p.t + 1 <= Math.floor(endS));
    expect(inside.length).toBeGreaterThanOrEqual(1);
    for (const p of inside) {
      expect(p.errors, JSON.stringify(series)).toBeGreaterThan(0);
      expect(p.byKind['5xx'], JSON.stringify(series)).toBe(p.errors);
    }
    // Before it, none: a request due then but sent late (a busy host) may still meet the window.
    const lagS = (result.summary.generator?.schedulingLagP99Ms ?? 0) / 1000;
    for (const p of series.filter((q) => q.t + 1 <= startS - lagS - 0.5)) {
      expect(p.errors, JSON.stringify(series)).toBe(0);
    }
    // After it, the dependency is back: the last three seconds are answered without an error.
    const last = series.slice(-3);
    expect(last.every((p) => p.t >= endS + 2)).toBe(true);
    for (const p of last) {
      expect(p.requests, JSON.stringify(series)).toBeGreaterThan(0);
      expect(p.errors, JSON.stringify(series)).toBe(0);
    }
  }, 90_000);
});
