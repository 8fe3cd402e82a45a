/**
 * The capacity search's pure pieces: the plan of one step (the scenario's phases replaced by a
 * warm-up and a steady phase at one rate, its SLOs scoped to the steady phase), each step's
 * verdict from its result, and the search's document.
 */
import { describe, expect, it } from 'vitest';
import {
  capacityDocument,
  judgeCapacityStep,
  type CapacityPoint,
  type CapacitySettings,
} from '../../src/analysis/index.js';
import {
  capacityStepPlan,
  capacityStepScenario,
  defaultStartRate,
  stepShapeProblems,
} from '../../src/experiments/index.js';
import type { ResultDocument, SloCheck, Summary } from '../../src/results/index.js';
import { scenarioSchema, type ScenarioInput } from '../../src/scenario/index.js';

const open: ScenarioInput = {
  name: 'cap',
  load: {
    model: 'open',
    arrivals: 'poisson',
    maxInFlight: 300,
    timeout: '2s',
    phases: [
      { name: 'ramp', duration: '10s', rate: { from: 10, to: 400 } },
      { name: 'peak', duration: '20s', rate: 250 },
    ],
    requests: [{ path: '/users/{{seq}}' }, { method: 'POST', path: '/users', weight: 2 }],
  },
  faults: [{ name: 'slow-db', at: '1s', for: '2s', on: 'db', latency: { latency: 20 } }],
  slo: [
    { p99Ms: 80, errorRate: 0.01 },
    { during: 'phase:peak', p50Ms: 20 },
    { during: 'fault:slow-db', p99Ms: 300 },
    { after: 'fault:slow-db', recoveryS: 5 },
    { p99Ms: 500, abortOnFail: true, graceS: 3 },
  ],
};

describe('the plan of one capacity step', () => {
  it('keeps the request mix, service and faults, and replaces the phases with a warm-up and a steady phase at one rate', () => {
    const scenario = scenarioSchema.parse(open);
    const step = capacityStepScenario(scenario, 700, { stepMs: 10_000, warmupMs: 3000 });
    expect(step.load).toEqual({
      model: 'open',
      arrivals: 'poisson',
      maxInFlight: 300,
      workers: 1,
      timeout: 2000,
      requests: scenario.load.requests,
      phases: [
        { name: 'warmup', duration: 3000, rate: 700 },
        { name: 'steady', duration: 7000, rate: 700 },
      ],
    });
    expect(step.faults).toEqual(scenario.faults);
    expect(step.service).toEqual(scenario.service);
    // The scenario itself is untouched.
    expect(scenario.load.phases).toHaveLength(2);
  });

  it('judges whole-run and phase SLOs over the steady phase, keeps fault scopes, and drops abortOnFail', () => {
    const step = capacityStepScenario(scenarioSchema.parse(open), 700, { stepMs: 10_000, warmupMs: 3000 });
    expect(step.slo).toEqual([
      { p99Ms: 80, errorRate: 0.01, during: 'phase:steady' },
      { p50Ms: 20, during: 'phase:steady' },
      { during: 'fault:slow-db', p99Ms: 300 },
      { after: 'fault:slow-db', recoveryS: 5 },
      { p99Ms: 500, during: 'phase:steady' },
    ]);
    // What it makes is a scenario the schema accepts as it stands.
    expect(() =>
      scenarioSchema.parse({
        ...step,
        load: { ...step.load, phases: step.load.phases.map((p) => ({ ...p, duration: 2000 })) },
      }),
    ).not.toThrow();
  });

  it('turns a closed-model scenario into an open one, and leaves out a warm-up of 0', () => {
    const closed = scenarioSchema.parse({
      name: 'closed',
      load: {
        model: 'closed',
        workers: 2,
        thinkTime: '10ms',
        phases: [{ duration: '5s', connections: 8 }],
        requests: [{ path: '/' }],
      },
      slo: { p99Ms: 100 },
    });
    const step = capacityStepScenario(closed, 50, { stepMs: 4000, warmupMs: 0 });
    expect(step.load).toMatchObject({ model: 'open', arrivals: 'uniform', maxInFlight: 1000, workers: 2 });
    expect(step.load.phases).toEqual([{ name: 'steady', duration: 4000, rate: 50 }]);
    expect(step.slo).toEqual([{ p99Ms: 100, during: 'phase:steady' }]);
  });

  it('plans the step as one lab run of the step length, against the target given', () => {
    const plan = capacityStepPlan(
      scenarioSchema.parse({ ...open, faults: [], slo: { p99Ms: 50 } }),
      1250,
      { stepMs: 2000, warmupMs: 1000 },
      { scenarioDir: '/s', target: 'http://127.0.0.1:9' },
    );
    expect(plan.target).toEqual({ kind: 'external', url: 'http://127.0.0.1:9' });
    expect(plan.load.totalMs).toBe(2000);
    expect(plan.load.phases.map((p) => [p.name, p.startMs, p.endMs, p.rate])).toEqual([
      ['warmup', 0, 1000, { from: 1250, to: 1250 }],
      ['steady', 1000, 2000, { from: 1250, to: 1250 }],
    ]);
    expect(plan.load.open).toEqual({ arrivals: 'poisson', maxInFlight: 300 });
  });

  it("starts at the scenario's highest planned rate (a ramp by its top), or 100/s for a closed model", () => {
    expect(defaultStartRate(scenarioSchema.parse(open))).toBe(400);
    const closed = scenarioSchema.parse({
      name: 'c',
      load: { model: 'closed', phases: [{ duration: '1s', connections: 1 }], requests: [{ path: '/' }] },
    });
    expect(defaultStartRate(closed)).toBe(100);
  });

  it.each([
    [{ stepMs: 10_000, warmupMs: 3000 }, []],
    [{ stepMs: 2000, warmupMs: 1000 }, []],
    [{ stepMs: 1500, warmupMs: 1000 }, ['--step: expected at least 1s more than --warmup']],
    [{ stepMs: 3000, warmupMs: -1 }, ['--warmup: expected 0s or more']],
  ])('checks the step shape %j', (shape, expected) => {
    const problems = stepShapeProblems(shape, { step: '--step', warmup: '--warmup' });
    expect(problems).toHaveLength(expected.length);
    expected.forEach((start, i) => expect(problems[i]).toContain(start));
  });
});

/** A step's result with what the verdict reads. */
function stepResult(options: {
  slo?: SloCheck[];
  summary?: Partial<Summary>;
  requests?: number;
  sloEntries?: unknown;
  /** The generator's event-loop utilisation of seconds 0, 1, 2 (second 0 is the warm-up). */
  elu?: number[];
}): ResultDocument {
  return {
    series: (options.elu ?? [0.5, 0.3, 0.3]).map((elu, t) => ({ t, generator: { elu, cpuPct: 50 } })),
    interrupted: false,
    scenario: { slo: options.sloEntries ?? [{ p99Ms: 50, during: 'phase:steady' }] },
    phases: [
      { name: 'warmup', startS: 0, endS: 1 },
      {
        name: 'steady',
        startS: 1,
        endS: 3,
        figures: {
          fromS: 1,
          toS: 3,
          requests: options.requests ?? 2000,
          errors: { total: 10, byKind: { '5xx': 10 } },
          latencyMs: { p50: 5, p90: 8, p99: 20, p999: 30, max: 40, mean: 6 },
        },
      },
    ],
    summary: {
      sent: 3000,
      dropped: 0,
      serviceTimeMs: { min: 1, p50: 5, p90: 8, p99: 20, p999: 30, max: 40, mean: 6 },
      generator: { verdict: 'ok' },
      ...options.summary,
    },
    slo: options.slo ?? [
      { name: 'p99Ms', scope: 'phase:steady', limit: 50, actual: 20, held: true, margin: 30 },
    ],
  } as unknown as ResultDocument;
}

const missedP99: SloCheck = {
  name: 'p99Ms',
  scope: 'phase:steady',
  limit: 50,
  actual: 90,
  held: false,
  margin: -40,
};
const saturated = { verdict: 'saturated' as const };
const busySteady = [0.5, 0.95, 0.3];

describe('the verdict of one capacity step', () => {
  it('holds when every SLO held, with the steady window’s figures', () => {
    const point = judgeCapacityStep(stepResult({}), 1000, 3);
    expect(point).toMatchObject({ step: 3, rate: 1000, held: true, achievedRps: 1000, p50Ms: 5, p99Ms: 20 });
    expect(point.errors).toBe(10);
    expect(point.errorRate).toBeCloseTo(10 / 2000, 6);
    expect(point.generatorLimit).toBeUndefined();
  });

  it('misses when an SLO missed, naming the check', () => {
    const point = judgeCapacityStep(stepResult({ slo: [missedP99] }), 1000, 1);
    expect(point.held).toBe(false);
    expect(point.missed).toEqual(['p99Ms 90 > 50 (phase:steady)']);
  });

  it('calls a saturated generator the limit when the service answered in time, even if the SLO held', () => {
    const point = judgeCapacityStep(
      stepResult({ summary: { generator: saturated }, elu: busySteady }),
      1000,
      1,
    );
    expect(point.held).toBe(false);
    expect(point.generatorLimit).toBe(
      'the generator was saturated: its event loop was over 90% busy in 1 of the 2 steady seconds (worst 95%)',
    );
  });

  it('leaves a generator busy only in the warm-up (starting its worker) out of the verdict', () => {
    const point = judgeCapacityStep(
      stepResult({ summary: { generator: saturated }, elu: [0.97, 0.2, 0.2] }),
      1000,
      1,
    );
    expect(point).toMatchObject({ held: true, generator: 'saturated' });
    expect(point.generatorLimit).toBeUndefined();
  });

  it('calls a generator that fell behind its schedule the limit', () => {
    const behind = { verdict: 'saturated' as const, behindPlan: 100 };
    const point = judgeCapacityStep(stepResult({ summary: { generator: behind } }), 1000, 1);
    expect(point.generatorLimit).toBe(
      'the generator was saturated: it sent 3000 of the 3100 requests due and not dropped',
    );
  });

  it('calls drops at the in-flight bound the generator’s limit while the service kept up', () => {
    const point = judgeCapacityStep(stepResult({ slo: [missedP99], summary: { dropped: 40 } }), 1000, 1);
    expect(point.held).toBe(false);
    expect(point.generatorLimit).toContain('held back 40 requests');
  });

  it('counts a limited step as missed when the service’s own latency (from the send) broke the SLO', () => {
    const slow = { min: 1, p50: 60, p90: 80, p99: 120, p999: 130, max: 140, mean: 70 };
    const point = judgeCapacityStep(
      stepResult({
        slo: [missedP99],
        summary: { generator: saturated, dropped: 5, serviceTimeMs: slow },
        elu: busySteady,
      }),
      1000,
      1,
    );
    expect(point.generatorLimit).toBeUndefined();
    expect(point.held).toBe(false);
    expect(point.missed).toEqual([
      'p99Ms 90 > 50 (phase:steady)',
      expect.stringContaining('the generator was saturated'),
      expect.stringContaining('held back 5 requests'),
    ]);
  });
});

const settings: CapacitySettings = {
  startRate: 100,
  precision: 0.05,
  growth: 2,
  maxRate: 1_000_000,
  maxSteps: 24,
  stepS: 10,
  warmupS: 3,
};

function point(
  step: number,
  rate: number,
  p99Ms: number,
  held: boolean,
  extra: Partial<CapacityPoint> = {},
): CapacityPoint {
  return {
    step,
    rate,
    held,
    achievedRps: Math.min(rate, 1000),
    p50Ms: p99Ms / 2,
    p99Ms,
    errors: 0,
    errorRate: 0,
    sent: rate * 10,
    dropped: 0,
    missed: held ? [] : ['p99Ms'],
    ...extra,
  };
}

describe('the capacity document', () => {
  const base = {
    scenario: 'cap',
    startedAt: 't0',
    endedAt: 't1',
    target: 'reference service',
    settings,
    slo: [],
  };
  const steps = [
    point(1, 250, 5, true),
    point(2, 500, 5.5, true),
    point(3, 1000, 9, true),
    point(4, 2000, 900, false),
    point(5, 1500, 600, false),
    point(6, 1250, 300, false),
    point(7, 1125, 120, false),
    point(8, 1062.5, 60, false),
    point(9, 1031.25, 30, false),
  ];

  it('states the capacity, the precision reached and the knee by Kneedle', () => {
    const doc = capacityDocument({
      ...base,
      steps,
      outcome: { kind: 'capacity', capacity: 1000, missedAt: 1031.25, precision: 0.03125 },
    });
    expect(doc.schema).toBe('loadlab/capacity@1');
    expect(doc).toMatchObject({ verdict: 'capacity', capacity: 1000, precision: 0.0313, highestHeld: 1000 });
    expect(doc.lowestMissed).toBe(1031.25);
    expect(doc.headline).toMatch(
      /^Capacity 1000\/s: every SLO held there and missed at 1031.3\/s \(precision 3.13%, 9 steps\)/,
    );
    expect(doc.knee).toMatchObject({ method: 'kneedle', step: 3, achievedRps: 1000 });
    expect(doc.method).toContain('Kneedle');
  });

  it('claims no capacity at the generator’s limit, and leaves its step out of the knee and the bracket', () => {
    const limited = [...steps.slice(0, 3), point(4, 2000, 5, false, { generatorLimit: 'saturated' })];
    const doc = capacityDocument({
      ...base,
      steps: limited,
      outcome: { kind: 'generator-limit', rate: 2000, reason: 'saturated', highestHeld: 1000 },
    });
    expect(doc).toMatchObject({
      verdict: 'generator-limit',
      capacity: null,
      precision: null,
      lowestMissed: null,
    });
    expect(doc.headline).toMatch(/^Limit of this generator, not of the service, at 2000\/s/);
  });

  it('leaves a step that was run again (a miss on a busy host) out of the bracket and the knee', () => {
    const doc = capacityDocument({
      ...base,
      steps: [...steps.slice(0, 2), point(3, 1000, 400, false, { rerun: true }), steps[2] as CapacityPoint],
    });
    expect(doc).toMatchObject({ highestHeld: 1000, lowestMissed: null });
  });

  it('reports held-to-max as a lower bound, and an interrupted search by its bracket', () => {
    const held = capacityDocument({
      ...base,
      steps: steps.slice(0, 3),
      outcome: { kind: 'held-to-max', maxRate: 1000 },
    });
    expect(held).toMatchObject({ verdict: 'held-to-max', capacity: 1000, atLeast: true });
    const cut = capacityDocument({ ...base, steps: steps.slice(0, 4) });
    expect(cut).toMatchObject({
      verdict: 'interrupted',
      capacity: null,
      highestHeld: 1000,
      lowestMissed: 2000,
    });
  });
});
