import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  analyseRun,
  checkWindow,
  judgeAbortSecond,
  recoveryTime,
  retryAmplification,
  startAbortWatch,
} from '../../src/analysis/index.js';
import type { FaultRecord, SeriesPoint, WindowFigures } from '../../src/results/index.js';
import { loadScenario, scenarioSchema } from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';
import { runSuite } from '../../src/report/index.js';
import { syntheticResult } from '../helpers/synthetic-result.js';

function figures(requests: number, p99: number, byKind: Record<string, number> = {}): WindowFigures {
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  return {
    fromS: 0,
    toS: 5,
    requests,
    errors: { total, byKind },
    latencyMs: { p50: p99 / 2, p90: p99, p99, p999: p99, max: p99, mean: p99 / 2, min: 1 },
  };
}

describe('checkWindow: limits judged on a window', () => {
  const cases: {
    what: string;
    limits: { p99Ms?: number; p50Ms?: number; errorRate?: number };
    window: WindowFigures | undefined;
    expected: { name: string; held: boolean; actual: number; reason?: string }[];
  }[] = [
    {
      what: 'p99 under the limit holds',
      limits: { p99Ms: 50 },
      window: figures(100, 40),
      expected: [{ name: 'p99Ms', held: true, actual: 40 }],
    },
    {
      what: 'p99 over the limit misses',
      limits: { p99Ms: 50 },
      window: figures(100, 60),
      expected: [{ name: 'p99Ms', held: false, actual: 60 }],
    },
    {
      what: 'no responses is not enough data, never a pass',
      limits: { p99Ms: 50, errorRate: 0.1 },
      window: figures(0, 0),
      expected: [
        { name: 'p99Ms', held: false, actual: 0, reason: 'not enough data' },
        { name: 'errorRate', held: false, actual: 0, reason: 'not enough data' },
      ],
    },
    {
      what: 'a window never recorded is not enough data',
      limits: { p50Ms: 5 },
      window: undefined,
      expected: [{ name: 'p50Ms', held: false, actual: 0, reason: 'not enough data' }],
    },
    {
      what: 'transport errors count as attempts: 5 timeouts over 95 responses + 5 = 5%',
      limits: { errorRate: 0.04 },
      window: figures(95, 10, { timeout: 5 }),
      expected: [{ name: 'errorRate', held: false, actual: 0.05 }],
    },
    {
      what: 'status errors are responses: 5 5xx in 100 responses = 5%',
      limits: { errorRate: 0.05 },
      window: figures(100, 10, { '5xx': 5 }),
      expected: [{ name: 'errorRate', held: true, actual: 0.05 }],
    },
  ];
  it.each(cases)('$what', ({ limits, window, expected }) => {
    const checks = checkWindow(limits, window);
    expect(
      checks.map(({ name, held, actual, reason }) => ({ name, held, actual, ...(reason ? { reason } : {}) })),
    ).toEqual(expected);
  });
});

/** A series of `n` seconds with p99 from `p99(t)` and 100 responses a second (none when p99 is undefined). */
function series(
  n: number,
  p99: (t: number) => number | undefined,
  errors: (t: number) => number = () => 0,
): SeriesPoint[] {
  return Array.from({ length: n }, (_, t) => {
    const v = p99(t);
    const e = errors(t);
    return {
      t,
      requests: v === undefined ? 0 : 100,
      rps: v === undefined ? 0 : 100,
      errors: e,
      errorsByKind: (e === 0 ? {} : { '5xx': e }) as Record<string, number>,
      latencyMs: { p50: (v ?? 0) / 2, p90: v ?? 0, p99: v ?? 0, max: v ?? 0 },
    };
  });
}

describe('recoveryTime on synthetic series', () => {
  it('recovers: the first of 3 seconds back within 20% of the median p99 before the fault', () => {
    // Before the fault (t 0..9): p99 10 (one noisy 100 that the median ignores). Fault 10..15.
    // After: 80, 40, 11, 12, 11, 11 ... → back at t 17, 2 s after the window's end (15).
    const after = [80, 40, 11, 12, 11, 11, 11, 11];
    const s = series(23, (t) => (t < 10 ? (t === 3 ? 100 : 10) : t < 15 ? 90 : after[t - 15]));
    const r = recoveryTime(s, 10, 15);
    expect(r).toMatchObject({ recoveryS: 2, baselineP99Ms: 10, margin: 0.2 });
  });

  it('a second over the margin restarts the 3-second hold', () => {
    const after = [11, 11, 13, 11, 11, 11];
    const s = series(21, (t) => (t < 10 ? 10 : t < 15 ? 90 : after[t - 15]));
    // 13 > 10 × 1.2: t 15, 16 do not count; t 18..20 hold → 3 s.
    expect(recoveryTime(s, 10, 15).recoveryS).toBe(3);
    // With a 50% margin 13 is within: recovered at once.
    expect(recoveryTime(s, 10, 15, 0.5).recoveryS).toBe(0);
  });

  it('error rate must come back within +1 percentage point too', () => {
    const s = series(
      24,
      (t) => (t < 10 ? 10 : t < 15 ? 90 : 10),
      (t) => (t >= 15 && t < 19 ? 5 : 0), // 5% errors for 4 s after the window
    );
    expect(recoveryTime(s, 10, 15).recoveryS).toBe(4);
  });

  it('never recovers: null, and the SLO misses with "never"', () => {
    const s = series(20, (t) => (t < 10 ? 10 : 90));
    expect(recoveryTime(s, 10, 15).recoveryS).toBeNull();
  });

  it('seconds with no responses are not recovered', () => {
    const s = series(20, (t) => (t < 10 ? 10 : t < 15 ? 90 : t === 16 ? undefined : 10));
    expect(recoveryTime(s, 10, 15).recoveryS).toBe(2);
  });

  it('no response before the fault: not enough data', () => {
    const s = series(20, (t) => (t < 10 ? undefined : 10));
    expect(recoveryTime(s, 10, 15)).toMatchObject({ recoveryS: null, reason: 'not enough data' });
  });

  it('uses at most the 10 seconds before the fault', () => {
    // t 0..9 very slow, t 10..19 fast; fault at 20: the level is the fast one.
    const s = series(30, (t) => (t < 10 ? 500 : t < 20 ? 10 : t < 25 ? 90 : 10));
    expect(recoveryTime(s, 20, 25)).toMatchObject({ baselineP99Ms: 10, recoveryS: 0 });
  });
});

describe('retryAmplification', () => {
  const withService = (calls: number | undefined, retries: number): SeriesPoint =>
    ({
      ...series(1, () => 10)[0],
      service: calls === undefined ? { retries } : { recsCalls: calls, retries },
    }) as SeriesPoint;
  it.each([
    { what: 'no retries: 1', points: [withService(100, 0)], expected: 1 },
    {
      what: '150 calls of which 50 retries: 1.5',
      points: [withService(100, 20), withService(50, 30)],
      expected: 1.5,
    },
    { what: 'no telemetry: not enough data', points: series(3, () => 10), expected: undefined },
    {
      what: 'telemetry without recsCalls: not enough data',
      points: [withService(undefined, 4)],
      expected: undefined,
    },
    { what: 'no calls: not enough data', points: [withService(0, 0)], expected: undefined },
  ])('$what', ({ points, expected }) => {
    expect(retryAmplification(points)).toBe(expected);
  });
});

describe('analyseRun with a scoped slo list', () => {
  const fault: FaultRecord = {
    name: 'db-latency',
    on: 'db',
    kind: 'latency',
    attributes: { latency: 50 },
    stream: 'downstream',
    toxicity: 1,
    startS: 20,
    endS: 30,
    plannedStartS: 20,
    plannedEndS: 30,
    figures: { ...figures(1000, 70), fromS: 20, toS: 30 },
    afterFigures: { ...figures(3000, 12), fromS: 30, toS: 60 },
  };

  function judged(slo: unknown[]) {
    const base = syntheticResult({
      seconds: 60,
      p99: (t) => (t < 20 ? 10 : t < 30 ? 70 : t < 33 ? 40 : 10),
      faults: [fault],
    });
    const scenario = scenarioSchema.parse({
      name: 'synthetic',
      load: {
        model: 'closed',
        phases: [
          { name: 'warmup', duration: 10, connections: 4 },
          { name: 'steady', duration: 50, connections: 32 },
        ],
        requests: [{ path: '/users/1' }],
      },
      faults: [{ at: 20, for: 10, on: 'db', latency: { latency: 50 } }],
      slo,
    });
    const phases = base.phases.map((p) => ({
      ...p,
      figures: { ...figures(p.name === 'steady' ? 50_000 : 0, 30), fromS: p.startS, toS: p.endS },
    }));
    return analyseRun({ ...base, scenario, phases });
  }

  it('gives each check its scope: a window SLO misses while the whole run holds', () => {
    const result = judged([
      { p99Ms: 100 },
      { during: 'fault:db-latency', p99Ms: 50 },
      { after: 'fault:db-latency', p99Ms: 50 },
      { during: 'phase:steady', p99Ms: 50 },
      { during: 'phase:warmup', p99Ms: 50 },
    ]);
    expect(result.slo.map((c) => [c.scope, c.name, c.held, c.reason])).toEqual([
      ['run', 'p99Ms', true, undefined],
      ['fault:db-latency', 'p99Ms', false, undefined],
      ['after:fault:db-latency', 'p99Ms', true, undefined],
      ['phase:steady', 'p99Ms', true, undefined],
      ['phase:warmup', 'p99Ms', false, 'not enough data'],
    ]);
  });

  it('recovery time: reported in result.recovery and judged against recoveryS', () => {
    // p99 10 before, 70 in the window, 40 for 3 s after it, then 10: back 3 s after the end.
    const result = judged([
      { after: 'fault:db-latency', recoveryS: 5 },
      { after: 'fault:db-latency', recoveryS: 2 },
    ]);
    expect(result.recovery?.[0]).toMatchObject({ fault: 'db-latency', recoveryS: 3, baselineP99Ms: 10 });
    expect(result.slo.map((c) => [c.name, c.scope, c.actual, c.held])).toEqual([
      ['recoveryS', 'after:fault:db-latency', 3, true],
      ['recoveryS', 'after:fault:db-latency', 3, false],
    ]);
  });

  it('JUnit: a scoped check is named by its scope; "never" recovered fails, not enough data is skipped', () => {
    const result = judged([
      { during: 'fault:db-latency', p99Ms: 50 },
      { after: 'fault:db-latency', for: '5s', p99Ms: 50 },
    ]);
    const never = analyseRun({
      ...result,
      series: result.series.map((p) => (p.t >= 20 ? { ...p, latencyMs: { ...p.latencyMs, p99: 70 } } : p)),
      scenario: { ...result.scenario, slo: [{ after: 'fault:db-latency', recoveryS: 5 }] },
    });
    expect(never.slo[0]).toMatchObject({ name: 'recoveryS', held: false, actual: 30 });
    expect(never.slo[0]?.reason).toMatch(/^never/);
    const cases = runSuite({ ...result, slo: [...result.slo, ...never.slo] }).cases;
    expect(cases.map((c) => [c.name, c.outcome.kind])).toEqual([
      ['slo p99Ms fault:db-latency', 'failure'],
      ['slo p99Ms after:fault:db-latency', 'skipped'], // no afterFiguresFor["5"] recorded
      ['slo recoveryS after:fault:db-latency', 'failure'],
      ['run completed', 'passed'],
    ]);
  });

  it('retry amplification without telemetry is not enough data', () => {
    const result = judged([{ retryAmplification: 1.5 }]);
    expect(result.slo[0]).toMatchObject({
      name: 'retryAmplification',
      held: false,
      reason: 'not enough data',
    });
  });

  it('the object form still gives whole-run checks', () => {
    const obj = analyseRun(syntheticResult({ seconds: 20 }));
    expect(obj.slo.map((c) => [c.scope, c.name])).toEqual([
      ['run', 'p99Ms'],
      ['run', 'errorRate'],
    ]);
  });
});

describe('judgeAbortSecond: abortOnFail judged second by second', () => {
  const second = (t: number, p99: number, requests = 100, timeouts = 0) => ({
    t,
    requests,
    errors: timeouts,
    errorsByKind: (timeouts === 0 ? {} : { timeout: timeouts }) as Record<string, number>,
    latencyMs: { p50: p99 / 2, p99 },
  });
  const slo = scenarioSchema.shape ? undefined : undefined; // (placeholder so the table below reads as data)
  void slo;
  const cases = [
    {
      what: 'missed 3 s on end with graceS 3 stops at the third',
      grace: 3,
      p99s: [90, 95, 100, 10],
      stopAt: 2,
    },
    {
      what: 'a held second resets the run of misses',
      grace: 3,
      p99s: [90, 95, 10, 90, 95, 10],
      stopAt: undefined,
    },
    { what: 'graceS 1 stops at the first miss', grace: 1, p99s: [10, 90], stopAt: 1 },
  ];
  it.each(cases)('$what', ({ grace, p99s, stopAt }) => {
    let watch = startAbortWatch([{ p99Ms: 80, abortOnFail: true, graceS: grace }]);
    let stopped: number | undefined;
    let reason: string | undefined;
    p99s.forEach((p99, t) => {
      const judged = judgeAbortSecond(watch, second(t, p99));
      watch = judged.watch;
      if (judged.reason !== undefined && stopped === undefined) {
        stopped = t;
        reason = judged.reason;
      }
    });
    expect(stopped).toBe(stopAt);
    if (stopAt !== undefined)
      expect(reason).toMatch(new RegExp(`^slo p99Ms \\(abortOnFail\\): [0-9.]+ ms > 80 ms for ${grace} s$`));
  });

  it('a second judged twice counts once; a second with no responses resets', () => {
    let watch = startAbortWatch([{ p99Ms: 80, abortOnFail: true, graceS: 2 }]);
    watch = judgeAbortSecond(watch, second(0, 90)).watch;
    const again = judgeAbortSecond(watch, second(0, 90));
    expect(again.reason).toBeUndefined();
    watch = judgeAbortSecond(again.watch, second(1, 0, 0)).watch;
    expect(judgeAbortSecond(watch, second(2, 90)).reason).toBeUndefined();
  });

  it('error rate: timeouts are attempts', () => {
    const watch = startAbortWatch([{ errorRate: 0.1, abortOnFail: true, graceS: 1 }]);
    expect(judgeAbortSecond(watch, second(0, 10, 80, 20)).reason).toBe(
      'slo errorRate (abortOnFail): 20% > 10% for 1 s',
    );
  });

  it('entries without abortOnFail, and the object form, watch nothing', () => {
    expect(startAbortWatch([{ p99Ms: 80 }]).limits).toEqual([]);
    expect(startAbortWatch({ p99Ms: 80 }).limits).toEqual([]);
  });
});

describe('scenario validation of scoped SLOs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loadlab-slo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const scenario = (
    slo: unknown,
    faults: unknown[] = [{ at: '2s', for: '2s', on: 'db', latency: { latency: 50 } }],
  ) => ({
    name: 'scoped',
    load: {
      model: 'closed',
      phases: [{ name: 'steady', duration: '5s', connections: 2 }],
      requests: [{ path: '/users/1' }],
    },
    faults,
    slo,
  });

  async function problems(raw: unknown): Promise<string> {
    const file = join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, stringify(raw));
    const error = await loadScenario(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isLoadlabError(error)) throw new Error('expected the scenario to be refused');
    return [error.message, ...error.problems].join('\n');
  }

  it('refuses every unknown scope at once, with file:line, listing the names that exist', async () => {
    const message = await problems(
      scenario([
        { during: 'phase:stedy', p99Ms: 10 },
        { during: 'fault:db-latncy', p99Ms: 10 },
        { after: 'fault:nope', recoveryS: 5 },
      ]),
    );
    expect(message).toContain('3 problems');
    expect(message).toMatch(/slo\[0\]\.during.*\n?.*phases: steady/);
    expect(message).toMatch(/faults: db-latency/);
    expect(message).toMatch(/s-[a-z0-9]+\.yaml:\d+/);
  });

  it('names repeated faults <on>-<kind>-2 and takes an explicit name', async () => {
    const faults = [
      { at: '1s', for: '1s', on: 'db', latency: { latency: 50 } },
      { at: '3s', for: '1s', on: 'db', latency: { latency: 50 } },
      { name: 'outage', at: '4s', for: '1s', on: 'db', down: true },
    ];
    const file = join(dir, 'named.yaml');
    await writeFile(
      file,
      stringify(
        scenario(
          [
            { during: 'fault:db-latency-2', p99Ms: 10 },
            { after: 'fault:outage', recoveryS: 3 },
          ],
          faults,
        ),
      ),
    );
    const loaded = await loadScenario(file);
    expect(Array.isArray(loaded.scenario.slo)).toBe(true);
    const message = await problems(scenario([{ during: 'fault:db-down', p99Ms: 10 }], faults));
    expect(message).toContain('faults: db-latency, db-latency-2, outage');
  });

  it('refuses entries that mix scopes or misplace options', async () => {
    const message = await problems(
      scenario([
        { during: 'phase:steady', after: 'fault:db-latency', p99Ms: 10 },
        { recoveryS: 3 },
        { during: 'phase:steady', p99Ms: 10, abortOnFail: true },
        { during: 'everywhere', p99Ms: 10 },
        { during: 'phase:steady' },
      ]),
    );
    expect(message).toContain('use during or after, not both');
    expect(message).toContain('recoveryS goes with after');
    expect(message).toContain('abortOnFail is judged second by second');
    expect(message).toContain('expected "phase:<name>" or "fault:<name>"');
    expect(message).toContain('expected at least one of');
  });
});
