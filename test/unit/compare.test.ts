import { describe, expect, it } from 'vitest';
import {
  compareRunSets,
  judgeThreshold,
  metricDefinitions,
  minimumRuns,
  verdictOf,
  type Comparison,
  type VerdictBasis,
} from '../../src/analysis/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { gateMetrics, isLoadlabError, parseThreshold, type Threshold } from '../../src/shared/index.js';
import { scenarioSchema } from '../../src/scenario/index.js';
import { runWith, runsWithP99 } from '../helpers/synthetic-runs.js';

const A = [41.2, 39.8, 44.1, 40.5, 42.0];
const B = [47.9, 45.3, 50.2, 46.1, 44.8];

const side = (label: string, results: ResultDocument[]) => ({
  label,
  sources: results.map((_, i) => `${label.toLowerCase()}/run-${i + 1}/result.json`),
  results,
});
const compare = (a: ResultDocument[], b: ResultDocument[], thresholds: string[] = [], design?: 'paired') =>
  compareRunSets(side('A', a), side('B', b), {
    thresholds: thresholds.map((t) => (parseThreshold(t) as { threshold: Threshold }).threshold),
    ...(design === undefined ? {} : { design }),
  });
const metric = (c: Comparison, id: string) => c.metrics.find((m) => m.metric === id)!;

describe('compareRunSets', () => {
  it('calls p99 worse for 5 vs 5 separated runs, with the reference interval and the method named', () => {
    const c = compare(runsWithP99(A), runsWithP99(B));
    const p99 = metric(c, 'p99');
    expect(p99.verdict).toBe('worse');
    expect(p99.change!.estimate).toBeCloseTo(0.1256281407, 8);
    expect(p99.change!.low).toBeCloseTo(0.0453514739, 8);
    expect(p99.change!.high).toBeCloseTo(0.2184466019, 8);
    expect(p99.change!.coverage).toBeCloseTo(0.968254, 5);
    expect(p99.pValue).toBeCloseTo(0.0079365, 6);
    expect(p99.a).toMatchObject({ n: 5, median: 41.2 });
    expect(p99.b).toMatchObject({ n: 5, median: 46.1 });
    expect(c.method).toBe('Hodges-Lehmann shift, 95% CI from exact Mann-Whitney, n=5 vs 5');
    // Figures that are the same in every run show no change.
    expect(metric(c, 'p50').verdict).toBe('no change');
    expect(metric(c, 'rps').verdict).toBe('no change');
  });

  it('calls the reverse comparison better, with the change mirrored on the log scale', () => {
    const forward = metric(compare(runsWithP99(A), runsWithP99(B)), 'p99');
    const back = metric(compare(runsWithP99(B), runsWithP99(A)), 'p99');
    expect(back.verdict).toBe('better');
    expect(Math.log1p(back.change!.estimate)).toBeCloseTo(-Math.log1p(forward.change!.estimate), 12);
    expect(Math.log1p(back.change!.low!)).toBeCloseTo(-Math.log1p(forward.change!.high!), 12);
  });

  it('treats lower throughput as worse', () => {
    const c = compare(
      [1000, 1010, 990, 1005].map((rps) => runWith({ rps })),
      [900, 905, 910, 895].map((rps) => runWith({ rps })),
    );
    expect(metric(c, 'rps').verdict).toBe('worse');
    expect(metric(c, 'rps').change!.high).toBeLessThan(0);
  });

  it('says inconclusive, not enough runs, for one run a side and for 3 vs 3, naming n and the minimum', () => {
    for (const [a, b] of [
      [[40], [50]],
      [
        [40, 41, 42],
        [50, 51, 52],
      ],
    ]) {
      const p99 = metric(compare(runsWithP99(a!), runsWithP99(b!)), 'p99');
      expect(p99.verdict).toBe('inconclusive');
      expect(p99.change?.low).toBeUndefined();
      expect(p99.reason).toBe(
        `not enough runs: n=${a!.length} vs ${b!.length}; a finite 95% interval needs at least 4 runs each (or 3 + 5, 2 + 8)`,
      );
    }
  });

  it('says inconclusive when the interval straddles 0 and reaches past the margin', () => {
    const p99 = metric(compare(runsWithP99([40, 50, 45, 42, 48]), runsWithP99([41, 49, 44, 46, 43])), 'p99');
    expect(p99.verdict).toBe('inconclusive');
    expect(p99.change!.low).toBeLessThan(-0.02);
    expect(p99.change!.high).toBeGreaterThan(0.02);
    expect(p99.reason).toMatch(/^the 95% interval \[-[\d.]+%, \+[\d.]+%\] includes 0 and reaches past ±2%$/);
  });

  it('says no change when the whole interval lies within ±2%, even if it excludes 0', () => {
    const p99 = metric(
      compare(runsWithP99([40, 40.1, 40.2, 40.3]), runsWithP99([40.4, 40.5, 40.6, 40.7])),
      'p99',
    );
    expect(p99.change!.low).toBeGreaterThan(0);
    expect(p99.verdict).toBe('no change');
  });

  it('compares the error rate as a difference in percentage points', () => {
    const c = compare(
      [0, 1, 0, 2].map((errors) => runWith({ errors, requests: 10_000 })),
      [60, 70, 80, 65].map((errors) => runWith({ errors, requests: 10_000 })),
    );
    const e = metric(c, 'errorRate');
    expect(e.scale).toBe('difference');
    expect(e.unit).toBe('%');
    expect(e.verdict).toBe('worse');
    expect(e.change!.estimate).toBeCloseTo(0.665, 9);
    // No errors anywhere: every difference is 0, which is no change.
    expect(metric(compare(runsWithP99(A), runsWithP99(B)), 'errorRate')).toMatchObject({
      verdict: 'no change',
      change: { estimate: 0, low: 0, high: 0 },
    });
  });

  it('compares service figures only where runs have telemetry, and falls back to a difference on zeros', () => {
    expect(compare(runsWithP99(A), runsWithP99(B)).metrics.map((m) => m.metric)).toEqual([
      'p50',
      'p90',
      'p99',
      'p999',
      'rps',
      'errorRate',
    ]);
    const c = compare(
      [1, 1.2, 0.9, 1.1].map((eventLoopDelayP99) => runWith({ eventLoopDelayP99, gcPauseMs: 0 })),
      [3, 3.3, 2.9, 3.1].map((eventLoopDelayP99) => runWith({ eventLoopDelayP99, gcPauseMs: 0 })),
    );
    expect(metric(c, 'eventLoopDelayP99')).toMatchObject({ verdict: 'worse', scale: 'relative' });
    expect(metric(c, 'heapPeak')).toMatchObject({ verdict: 'no change' });
    expect(metric(c, 'gcTime')).toMatchObject({ scale: 'difference', verdict: 'no change', margin: 0.5 });
  });

  it('pairs run i of A with run i of B in the paired design (signed-rank)', () => {
    const a = [41.2, 39.8, 44.1, 40.5, 42.0, 43.3];
    const b = [45.0, 44.6, 43.7, 44.0, 43.4, 48.1];
    const c = compare(runsWithP99(a), runsWithP99(b), [], 'paired');
    expect(c.method).toBe(
      'Hodges-Lehmann shift of paired log ratios, 95% CI from the exact Wilcoxon signed-rank distribution, 6 pairs',
    );
    const p99 = metric(c, 'p99');
    expect(p99.change!.estimate).toBeCloseTo(0.0760838485, 8);
    expect(p99.change!.low).toBeCloseTo(-0.0090702948, 8);
    expect(p99.verdict).toBe('inconclusive');
    expect(
      metric(compare(runsWithP99(a.slice(0, 5)), runsWithP99(b.slice(0, 5)), [], 'paired'), 'p99').reason,
    ).toBe('not enough runs: 5 pairs; a finite 95% interval needs at least 6 pairs');
  });

  it('refuses runs of different scenarios or loads, naming each difference', () => {
    const other = runWith({ name: 'other' });
    const longer = runWith({});
    longer.scenario = {
      ...longer.scenario,
      load: {
        ...longer.scenario.load,
        phases: [longer.scenario.load.phases[0]!, { ...longer.scenario.load.phases[1]!, duration: 99_000 }],
      },
    } as ResultDocument['scenario'];
    let caught: unknown;
    try {
      compare([runWith({}), runWith({})], [other, longer]);
    } catch (err) {
      caught = err;
    }
    expect(isLoadlabError(caught, 'COMPARE_MISMATCH')).toBe(true);
    const problems = (caught as { problems: string[] }).problems;
    expect(problems).toEqual([
      'b/run-1/result.json: scenario name is "other", but a/run-1/result.json is of "synthetic"',
      'b/run-2/result.json: the resolved load differs from a/run-1/result.json at load.phases[1].duration (10000 vs 99000)',
    ]);
  });

  it('gates with confidence: fails beyond, passes within, and is inconclusive across or without an interval', () => {
    const c = compare(runsWithP99(A), runsWithP99(B), [
      'p99:+3%',
      'p99:+30%',
      'p99:+10%',
      'p50:+1%',
      'gcTime:+5%',
    ]);
    expect(c.gates.map((g) => [g.threshold.text, g.outcome])).toEqual([
      ['p99:+3%', 'fail'],
      ['p99:+30%', 'pass'],
      ['p99:+10%', 'inconclusive'],
      ['p50:+1%', 'pass'],
      ['gcTime:+5%', 'inconclusive'],
    ]);
    expect(c.gates[0]!.reason).toBe(
      'change +12.6%; its one-sided 95% lower bound +7.86% lies beyond the threshold +3%',
    );
    expect(c.gates[4]!.reason).toMatch(/no data/);
    expect(c.gate).toBe('fail');
    expect(compare(runsWithP99(A), runsWithP99(B), ['p99:+10%']).gate).toBe('inconclusive');
    expect(compare(runsWithP99(A), runsWithP99(B), ['p99:+30%']).gate).toBe('pass');
    expect(compare(runsWithP99([40]), runsWithP99([80]), ['p99:+10%']).gate).toBe('inconclusive');
    expect(compare(runsWithP99(A), runsWithP99(B)).gate).toBeUndefined();
  });
});

describe('gates decide on the one-sided bound in the threshold’s direction', () => {
  // B 30% slower in every repeat, with a little noise: each ratio lies in 1.28..1.32.
  const slower = (n: number) => ({
    a: runsWithP99(Array.from({ length: n }, (_, i) => 40 + i)),
    b: runsWithP99(Array.from({ length: n }, (_, i) => (40 + i) * (1.28 + (i % 3) * 0.02))),
  });

  it('fails a 30% slower B on p99:+10% with 5 pairs (exact p = 1/32), not with 4', () => {
    const five = slower(5);
    const c5 = compare(five.a, five.b, ['p99:+10%'], 'paired');
    expect(c5.gates[0]!.outcome).toBe('fail');
    expect(c5.gates[0]!.reason).toMatch(
      /^change \+\d+(\.\d+)?%; its one-sided 95% lower bound \+2\d(\.\d+)?% lies beyond the threshold \+10%$/,
    );
    expect(metric(c5, 'p99').gateBounds!.coverage).toBeCloseTo(1 - 1 / 32, 12);
    // The verdict keeps the two-sided interval, which 5 pairs cannot give.
    expect(metric(c5, 'p99').verdict).toBe('inconclusive');
    expect(metric(c5, 'p99').reason).toMatch(/needs at least 6 pairs/);
    expect(c5.gateMethod).toBe(
      "one-sided 95% bound in each threshold's direction, from the exact Wilcoxon signed-rank distribution, 5 pairs",
    );
    expect(c5.minimum).toEqual({ verdicts: 'at least 6 pairs', gates: 'at least 5 pairs' });

    const four = slower(4);
    const c4 = compare(four.a, four.b, ['p99:+10%'], 'paired');
    expect(c4.gates[0]!.outcome).toBe('inconclusive');
    expect(c4.gates[0]!.reason).toBe(
      'not enough runs: 4 pairs; a one-sided 95% bound needs at least 5 pairs',
    );
  });

  it('passes a B no slower than the threshold with 5 pairs, and never fails an A/A comparison', () => {
    const same = runsWithP99([40, 41, 42, 43, 44]);
    const c = compare(same, runsWithP99([40.2, 40.9, 42.1, 43.3, 43.8]), ['p99:+10%', 'rps:-5%'], 'paired');
    expect(c.gates.map((g) => g.outcome)).toEqual(['pass', 'pass']);
    expect(c.gates[0]!.reason).toMatch(/its one-sided 95% upper bound .* lies within the threshold \+10%$/);
  });

  it('unpaired: 3 runs a side (exact p = 1/20) or 2 + 5 give a bound; 2 + 4 and 2 + 2 do not', () => {
    const a = (n: number) => runsWithP99([40, 41, 42, 43, 44].slice(0, n));
    const b = (n: number) => runsWithP99([60, 61, 62, 63, 64].slice(0, n));
    const gate = (n: number, m: number) => compare(a(n), b(m), ['p99:+10%']).gates[0]!;
    expect(gate(3, 3).outcome).toBe('fail');
    expect(gate(2, 5).outcome).toBe('fail');
    expect(gate(2, 4).outcome).toBe('inconclusive');
    expect(gate(2, 2).reason).toBe(
      'not enough runs: n=2 vs 2; a one-sided 95% bound needs at least 3 runs each (or 2 + 5)',
    );
    expect(metric(compare(a(3), b(3)), 'p99').gateBounds!.coverage).toBeCloseTo(0.95, 12);
  });
});

describe('verdictOf', () => {
  const latency: VerdictBasis = {
    scale: 'relative',
    unit: 'ms',
    worse: 'higher',
    margin: 0.02,
    confidence: 0.95,
  };
  const rps: VerdictBasis = { ...latency, unit: 'req/s', worse: 'lower' };
  it.each([
    [latency, 0.05, 0.1, 'worse'],
    [latency, -0.1, -0.05, 'better'],
    [latency, -0.01, 0.015, 'no change'],
    [latency, 0.005, 0.019, 'no change'],
    [latency, -0.05, 0.01, 'inconclusive'],
    [latency, 0, 0.05, 'inconclusive'],
    [rps, 0.05, 0.1, 'better'],
    [rps, -0.1, -0.05, 'worse'],
    [rps, -0.02, 0.02, 'no change'],
  ] as const)('%o with [%f, %f] is %s', (basis, low, high, verdict) => {
    expect(verdictOf({ estimate: (low + high) / 2, low, high, coverage: 0.96 }, basis).verdict).toBe(verdict);
  });
});

describe('judgeThreshold', () => {
  const basis: VerdictBasis = {
    scale: 'relative',
    unit: 'req/s',
    worse: 'lower',
    margin: 0.02,
    confidence: 0.95,
  };
  const t = (parseThreshold('rps:-5%') as { threshold: Threshold }).threshold;
  it.each([
    [-0.2, -0.06, 'fail'],
    [-0.04, 0.1, 'pass'],
    [-0.05, 0.1, 'pass'],
    [-0.08, -0.01, 'inconclusive'],
  ] as const)('a threshold of rps -5 percent, with [%f, %f], gives %s', (low, high, outcome) => {
    expect(
      judgeThreshold(t, { estimate: (low + high) / 2, low, high, coverage: 0.96 }, basis, '').outcome,
    ).toBe(outcome);
  });
});

describe('parseThreshold', () => {
  it.each([
    ['p99:+10%', 'p99', 0.1, '%'],
    ['p99:10%', 'p99', 0.1, '%'],
    ['p99.9:+25%', 'p999', 0.25, '%'],
    [' rps : -5% ', 'rps', -0.05, '%'],
    ['rps:5%', 'rps', -0.05, '%'],
    ['errorRate:+0.5pp', 'errorRate', 0.5, 'pp'],
    ['eventLoopDelayP99:+20%', 'eventLoopDelayP99', 0.2, '%'],
  ])('reads "%s"', (text, metric, limit, unit) => {
    const parsed = parseThreshold(text);
    expect(parsed).toEqual({
      threshold: { text: text.trim(), metric, limit: expect.closeTo(limit, 12), unit },
    });
  });

  it.each([
    ['p99', 'expected metric:change such as "p99:+10%", "rps:-5%" or "errorRate:+0.5pp", found "p99"'],
    [
      'p99:+10',
      'expected metric:change such as "p99:+10%", "rps:-5%" or "errorRate:+0.5pp", found "p99:+10"',
    ],
    [
      'p95:+10%',
      'expected a metric among p50, p90, p99, p999, rps, errorRate, eventLoopDelayP99, heapPeak, gcTime, found "p95" in "p95:+10%"',
    ],
    [
      'errorRate:+1%',
      'errorRate changes are written in percentage points, e.g. "errorRate:+0.5pp", found "errorRate:+1%"',
    ],
    ['p99:+1pp', 'p99 changes are written in %, e.g. "p99:+10%", found "p99:+1pp"'],
    ['rps:+5%', 'rps is worse when lower, so its threshold is negative (e.g. "rps:-5%"), found "rps:+5%"'],
    [
      'p99:-10%',
      'p99 is worse when higher, so its threshold is positive (e.g. "p99:+10%"), found "p99:-10%"',
    ],
  ])('refuses "%s"', (text, problem) => {
    expect(parseThreshold(text)).toEqual({ problem });
  });
});

describe('metric definitions', () => {
  it('agree with the threshold vocabulary on names, direction and unit', () => {
    expect(metricDefinitions.map((m) => m.id)).toEqual(Object.keys(gateMetrics));
    for (const m of metricDefinitions) {
      expect(m.worse, m.id).toBe(gateMetrics[m.id].worse);
      expect(m.scale === 'difference', m.id).toBe(gateMetrics[m.id].unit === 'pp');
    }
  });

  it('state the minimum runs for a finite interval', () => {
    expect(minimumRuns('unpaired', 0.95)).toBe('at least 4 runs each (or 3 + 5, 2 + 8)');
    expect(minimumRuns('paired', 0.95)).toBe('at least 6 pairs');
    expect(minimumRuns('paired', 0.9)).toBe('at least 5 pairs');
    expect(minimumRuns('paired', 0.95, 'one-sided')).toBe('at least 5 pairs');
    expect(minimumRuns('unpaired', 0.95, 'one-sided')).toBe('at least 3 runs each (or 2 + 5)');
  });
});

describe("the scenario's gate: section", () => {
  const base = {
    name: 'gated',
    load: { model: 'closed', phases: [{ duration: '1s', connections: 1 }], requests: [{ path: '/' }] },
  };

  it('accepts threshold strings and keeps them in the resolved scenario', () => {
    const parsed = scenarioSchema.safeParse({ ...base, gate: ['p99:+10%', 'errorRate:+0.5pp'] });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.gate).toEqual(['p99:+10%', 'errorRate:+0.5pp']);
  });

  it('reports each bad threshold at its place in the list', () => {
    const parsed = scenarioSchema.safeParse({ ...base, gate: ['p99:+10%', 'p99:10', 'rps:+5%'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'gate.1',
        'expected metric:change such as "p99:+10%", "rps:-5%" or "errorRate:+0.5pp", found "p99:10"',
      ],
      ['gate.2', 'rps is worse when lower, so its threshold is negative (e.g. "rps:-5%"), found "rps:+5%"'],
    ]);
  });
});
