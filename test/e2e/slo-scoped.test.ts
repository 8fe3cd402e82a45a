import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { recoveryTime } from '../../src/analysis/index.js';
import type { ResultDocument } from '../../src/results/types.js';
import { killStartedClis, runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-slo-e2e-'));
});
afterAll(async () => {
  killStartedClis();
  await rm(dir, { recursive: true, force: true });
});

/** An open-model run against the reference service, the cache off so every request waits on the database. */
function scenario(name: string, seconds: number, faults: unknown[], slo: unknown[]): Record<string, unknown> {
  return {
    name,
    seed: 7,
    service: { cache: { enabled: false } },
    dependencies: { db: { capacity: 32, latency: { dist: 'constant', ms: 1 } } },
    load: {
      model: 'open',
      phases: [{ name: 'steady', duration: `${seconds}s`, rate: 60 }],
      requests: [{ method: 'GET', path: '/users/{{uniform 1 1000}}' }],
    },
    faults,
    slo,
  };
}

async function run(
  raw: Record<string, unknown>,
): Promise<{ code: number; stdout: string; stderr: string; result: ResultDocument; out: string }> {
  const file = join(dir, `${String(raw.name)}.yaml`);
  await writeFile(file, stringify(raw));
  const out = join(dir, `${String(raw.name)}-out`);
  const { code, stdout, stderr } = await runCli(['run', file, '--out', out]);
  const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
  return { code, stdout, stderr, result, out };
}

describe('scoped SLOs through the CLI', () => {
  it('a fault-window p99 limit misses while the whole-run one holds; recovery time is measured and reported', async () => {
    const { code, stdout, result } = await run(
      scenario(
        'window-slo',
        8,
        [{ at: '2s', for: '2s', on: 'db', latency: { latency: 50 } }],
        [
          { p99Ms: 1000 },
          { during: 'fault:db-latency', p99Ms: 30 },
          { during: 'phase:steady', errorRate: 0.05 },
          { after: 'fault:db-latency', recoveryS: 5 },
        ],
      ),
    );
    expect(code).toBe(1); // an SLO missed
    const check = (scope: string, name: string) =>
      result.slo.find((c) => c.scope === scope && c.name === name);
    expect(check('run', 'p99Ms')).toMatchObject({ held: true, limit: 1000 });
    // Every request in the window waits ≥ 50 ms on the database: the window's exact p99 is over 30.
    expect(check('fault:db-latency', 'p99Ms')).toMatchObject({ held: false, limit: 30 });
    expect(check('fault:db-latency', 'p99Ms')?.actual).toBeGreaterThanOrEqual(50);
    expect(check('phase:steady', 'errorRate')).toMatchObject({ held: true, actual: 0 });

    // The lab recorded each window's figures, on whole seconds.
    const [fault] = result.faults ?? [];
    expect(fault?.name).toBe('db-latency');
    expect(fault?.figures).toMatchObject({ fromS: 2, toS: 4 });
    expect(fault?.figures?.requests).toBeGreaterThan(60); // 2 s at 60/s, within a band
    expect(fault?.figures?.latencyMs.p50).toBeGreaterThanOrEqual(50);
    expect(fault?.afterFigures).toMatchObject({ fromS: 4, toS: 8 });
    const phase = result.phases[0];
    expect(phase?.figures).toMatchObject({ fromS: 0, toS: 8 });
    const inSeries = result.series.filter((p) => p.t < 8).reduce((n, p) => n + p.requests, 0);
    expect(phase?.figures?.requests).toBe(inSeries);

    // Recovery: what the series says, in result.recovery, judged against 5 s, and in the summary.
    const [recovery] = result.recovery ?? [];
    expect(recovery?.fault).toBe('db-latency');
    const expected = recoveryTime(result.series, fault?.startS ?? 0, fault?.endS ?? 0, 0.2);
    expect(recovery).toMatchObject(expected);
    expect(recovery?.baselineP99Ms).toBeGreaterThan(0);
    const rec = check('after:fault:db-latency', 'recoveryS');
    expect(rec?.held).toBe(recovery?.recoveryS !== null && (recovery?.recoveryS ?? 99) <= 5);
    expect(stdout).toMatch(/during fault:db-latency: p99 [0-9.]+ ms > 30 ms/);
    expect(stdout).toMatch(/recovery\s+db-latency: (recovered \d+ s after the window|never recovered)/);
  }, 60_000);

  it('abortOnFail stops the run early, exits 1, names the SLO, and still writes everything', async () => {
    const planned = 10;
    const { code, stderr, result, out } = await run(
      scenario(
        'abort-slo',
        planned,
        [{ at: '1s', on: 'db', latency: { latency: 60 } }],
        [{ p99Ms: 40, abortOnFail: true, graceS: 2 }],
      ),
    );
    expect(code).toBe(1); // SLO failed, not 130 (interrupted)
    expect(result.abortReason).toMatch(/^slo p99Ms \(abortOnFail\): [0-9.]+ ms > 40 ms for 2 s$/);
    expect(stderr).toContain(`stopping the run: ${result.abortReason}`);
    expect(result.interrupted).toBe(true);
    // 60 ms on every request from 1 s on, 2 s of grace: stopped well before the planned 10 s.
    expect(result.summary.durationS).toBeLessThan(planned * 0.7);
    expect(result.summary.requests).toBeGreaterThan(0);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(result.slo.find((c) => c.name === 'p99Ms')?.held).toBe(false);
  }, 60_000);

  it('retry amplification from the service telemetry: 503s on half the calls make retries', async () => {
    const raw = {
      name: 'amplification-slo',
      seed: 42,
      service: {
        cache: { enabled: false },
        recommendations: {
          timeoutMs: 200,
          retry: { attempts: 2, backoffMs: 5, budgetRatio: 0.5 },
          fallback: true,
        },
      },
      dependencies: { recommendations: { latency: { dist: 'constant', ms: 2 } } },
      load: {
        model: 'open',
        phases: [{ name: 'steady', duration: '6s', rate: 80 }],
        requests: [{ method: 'GET', path: '/users/{{uniform 1 1000}}/profile' }],
      },
      faults: [{ at: '2s', for: '3s', on: 'recommendations', http: { status: 503, ratio: 0.5 } }],
      slo: [
        { retryAmplification: 1.05 },
        { during: 'fault:recommendations-http_status', retryAmplification: 2 },
      ],
    };
    const { code, result } = await run(raw);
    expect(code).toBe(1);
    const [whole, during] = result.slo;
    // Two attempts at most: between 1 and 2 calls per call; the 503s make it clearly above 1.
    expect(whole).toMatchObject({ name: 'retryAmplification', scope: 'run', held: false });
    expect(whole?.actual).toBeGreaterThan(1.05);
    expect(during).toMatchObject({ scope: 'fault:recommendations-http_status', held: true });
    expect(during?.actual).toBeGreaterThan(whole?.actual ?? 2);
    expect(during?.actual).toBeLessThanOrEqual(2);
  }, 60_000);

  it('without abortOnFail the same SLO lets the run go to its end', async () => {
    const { code, result } = await run(
      scenario('no-abort-slo', 4, [{ at: '1s', on: 'db', latency: { latency: 60 } }], [{ p99Ms: 40 }]),
    );
    expect(code).toBe(1);
    expect(result.abortReason).toBeUndefined();
    expect(result.summary.durationS).toBeGreaterThanOrEqual(3.9);
  }, 60_000);
});
