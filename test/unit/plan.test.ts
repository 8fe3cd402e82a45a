import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  describePlan,
  scenarioSchema,
  type Scenario,
  type ScenarioInput,
} from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';

function scenario(
  overrides: Partial<ScenarioInput> = {},
  phases?: ScenarioInput['load']['phases'],
): Scenario {
  return scenarioSchema.parse({
    name: 'pool-exhaustion',
    description: 'A DB latency spike exhausts a small pool.',
    load: {
      model: 'closed',
      workers: 2,
      phases: phases ?? [
        { name: 'warmup', duration: '5s', connections: 10 },
        { duration: '10s', connections: 50 },
        { name: 'steady', duration: '30s', connections: 100 },
      ],
      requests: [
        { weight: 80, path: '/users/{{zipf 1 100000 1.1}}' },
        { weight: 15, path: '/users/{{uniform 1 100000}}/profile' },
        { weight: 5, method: 'POST', path: '/users', json: { name: 'u' } },
      ],
    },
    ...overrides,
  });
}

describe('buildPlan', () => {
  it('lays the phases end to end from 0, naming unnamed ones by position', () => {
    expect(buildPlan(scenario())).toEqual({
      model: 'closed',
      workers: 2,
      totalMs: 45_000,
      phases: [
        { index: 0, name: 'warmup', startMs: 0, endMs: 5000, durationMs: 5000, connections: 10 },
        { index: 1, name: 'phase-2', startMs: 5000, endMs: 15_000, durationMs: 10_000, connections: 50 },
        { index: 2, name: 'steady', startMs: 15_000, endMs: 45_000, durationMs: 30_000, connections: 100 },
      ],
    });
  });

  it('shortens the phase that crosses maxDurationMs and drops the ones after it', () => {
    const plan = buildPlan(scenario(), { maxDurationMs: 20_000 });
    expect(plan.totalMs).toBe(20_000);
    expect(plan.phases.map((p) => [p.name, p.startMs, p.endMs, p.durationMs])).toEqual([
      ['warmup', 0, 5000, 5000],
      ['phase-2', 5000, 15_000, 10_000],
      ['steady', 15_000, 20_000, 5000],
    ]);
  });

  it('keeps a phase ending exactly at maxDurationMs whole and starts no empty phase after it', () => {
    const plan = buildPlan(scenario(), { maxDurationMs: 15_000 });
    expect(plan.phases.map((p) => p.name)).toEqual(['warmup', 'phase-2']);
    expect(plan.totalMs).toBe(15_000);
  });

  it('cuts inside the first phase when maxDurationMs is shorter than it', () => {
    const plan = buildPlan(scenario(), { maxDurationMs: 3000 });
    expect(plan.phases).toEqual([
      { index: 0, name: 'warmup', startMs: 0, endMs: 3000, durationMs: 3000, connections: 10 },
    ]);
  });

  it('changes nothing when maxDurationMs is past the end', () => {
    expect(buildPlan(scenario(), { maxDurationMs: 3_600_000 })).toEqual(buildPlan(scenario()));
  });

  it.each([0, -1, Number.NaN])('rejects maxDurationMs %s as a bad flag', (maxDurationMs) => {
    let caught: unknown;
    try {
      buildPlan(scenario(), { maxDurationMs });
    } catch (error) {
      caught = error;
    }
    expect(isLoadlabError(caught, 'BAD_FLAG')).toBe(true);
  });

  it('has contiguous phases whose durations add up to totalMs, capped or not', () => {
    const phase = fc.record({
      duration: fc.integer({ min: 1000, max: 3_600_000 }).map((ms) => `${ms}ms`),
      connections: fc.integer({ min: 1, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(phase, { minLength: 1, maxLength: 20 }),
        fc.option(fc.integer({ min: 1, max: 100_000_000 }), { nil: undefined }),
        (phases, maxDurationMs) => {
          const s = scenario({}, phases);
          const plan = buildPlan(s, maxDurationMs === undefined ? {} : { maxDurationMs });
          const scenarioMs = s.load.phases.reduce((sum, p) => sum + p.duration, 0);
          expect(plan.phases.reduce((sum, p) => sum + p.durationMs, 0)).toBe(plan.totalMs);
          expect(plan.totalMs).toBe(Math.min(scenarioMs, maxDurationMs ?? Infinity));
          plan.phases.forEach((p, i) => {
            expect(p.index).toBe(i);
            expect(p.startMs).toBe(i === 0 ? 0 : plan.phases[i - 1]!.endMs);
            expect(p.endMs - p.startMs).toBe(p.durationMs);
            expect(p.durationMs).toBeGreaterThan(0);
            expect(p.durationMs).toBeLessThanOrEqual(s.load.phases[i]!.duration);
            const phase = s.load.phases[i]!;
            expect(p.connections).toBe('connections' in phase ? phase.connections : undefined);
          });
        },
      ),
    );
  });
});

describe('describePlan', () => {
  const s = scenario({
    service: { db: { pool: { max: 5 } }, cache: { ttlMs: 5000 } },
    slo: { p99Ms: 80, errorRate: 0.01 },
  });
  const text = describePlan(buildPlan(s), s);
  const lines = text.split('\n');

  it('names the scenario and describes it', () => {
    expect(lines[0]).toBe('Scenario: pool-exhaustion');
    expect(text).toContain('A DB latency spike exhausts a small pool.');
    expect(text).toContain('closed model, 2 workers');
  });

  it('lists each phase with its start, end, duration and connections', () => {
    expect(text).toContain('Phases (45s in all)');
    expect(lines.find((l) => l.includes('warmup'))).toMatch(/1\s+warmup\s+0s\s+5s\s+5s\s+10$/);
    expect(lines.find((l) => l.includes('phase-2'))).toMatch(/2\s+phase-2\s+5s\s+15s\s+10s\s+50$/);
    expect(lines.find((l) => l.includes('steady'))).toMatch(/3\s+steady\s+15s\s+45s\s+30s\s+100$/);
  });

  it('gives the request mix as percentages of the total weight', () => {
    expect(lines.find((l) => l.includes('zipf'))).toMatch(/80%\s+GET\s+\/users\/\{\{zipf/);
    expect(lines.find((l) => l.includes('/profile'))).toMatch(/15%\s+GET/);
    expect(lines.find((l) => l.includes('POST'))).toMatch(/5%\s+POST\s+\/users {2}\(JSON body\)/);
  });

  it('rounds an uneven mix to a tenth of a percent', () => {
    const thirds = scenario();
    thirds.load.requests = thirds.load.requests.map((r) => ({ ...r, weight: 1 }));
    expect(describePlan(buildPlan(thirds), thirds).match(/33\.3%/g)).toHaveLength(3);
  });

  it('shows only the service knobs that differ from their defaults', () => {
    expect(lines.find((l) => l.includes('db.pool.max'))).toMatch(/db\.pool\.max\s+5\s+\(default 10\)/);
    expect(text).not.toContain('cache.ttlMs');
    expect(text).not.toContain('queueMax');
    const plain = scenario();
    expect(describePlan(buildPlan(plain), plain)).toContain('Service knobs: all defaults');
  });

  it('describes the dependencies and the SLOs', () => {
    expect(text).toMatch(
      /db\s+simulated\s+capacity 8, latency lognormal \(p50Ms 2, p99Ms 15\), errorRatio 0, users 100000/,
    );
    expect(text).toContain('p99 <= 80ms');
    expect(text).toContain('error rate <= 1%');
    const plain = scenario();
    expect(describePlan(buildPlan(plain), plain)).toContain('SLOs: none');
  });

  it('says which dependencies are simulated', () => {
    const heading = lines.find((l) => l.startsWith('Dependencies'));
    expect(heading).toBe('Dependencies (not started with --target)');
    expect(lines.find((l) => l.trimStart().startsWith('db '))).toMatch(/db\s+simulated\s+capacity 8/);
    expect(lines.find((l) => l.trimStart().startsWith('recommendations '))).toMatch(
      /recommendations\s+simulated\s+capacity/,
    );
  });

  it('describes a PostgreSQL database as such, embedded or at its URL without the password', () => {
    const embedded = scenario({ dependencies: { db: { kind: 'postgres', embedded: true } } });
    const text = describePlan(buildPlan(embedded), embedded);
    expect(text).not.toContain('simulated;');
    expect(text).toMatch(
      /db\s+PostgreSQL\s+embedded \(a throw-away cluster started for the run\), users 100000/,
    );
    expect(text).toMatch(/recommendations\s+simulated/);
    const yours = scenario({
      dependencies: { db: { kind: 'postgres', url: 'postgres://lab:s3cret@127.0.0.1:5432/lab', users: 50 } },
    });
    const described = describePlan(buildPlan(yours), yours);
    expect(described).toMatch(
      /db\s+PostgreSQL\s+at postgres:\/\/lab:\*\*\*@127\.0\.0\.1:5432\/lab, users 50/,
    );
    expect(described).not.toContain('s3cret');
  });

  it('says when --duration cut the run short, and lists only the phases that run', () => {
    const cut = describePlan(buildPlan(s, { maxDurationMs: 8000 }), s);
    expect(cut).toContain("Phases (8s in all: cut by --duration from the scenario's 45s)");
    expect(cut).toMatch(/2\s+phase-2\s+5s\s+8s\s+3s\s+50/);
    expect(cut).not.toMatch(/steady\s+\d/);
  });
});

describe('the open model', () => {
  const open = (phases: unknown[], extra: Record<string, unknown> = {}): Scenario =>
    scenarioSchema.parse({
      name: 'open-ramp',
      load: { model: 'open', phases, requests: [{ path: '/' }], ...extra },
    });

  it('plans each phase with its rate as a ramp, and the arrivals options with their defaults', () => {
    const plan = buildPlan(
      open([
        { name: 'warm', duration: '5s', rate: 200 },
        { name: 'ramp', duration: '10s', rate: { from: 200, to: 2000 } },
      ]),
    );
    expect(plan).toEqual({
      model: 'open',
      workers: 1,
      totalMs: 15_000,
      open: { arrivals: 'uniform', maxInFlight: 1000 },
      phases: [
        { index: 0, name: 'warm', startMs: 0, endMs: 5000, durationMs: 5000, rate: { from: 200, to: 200 } },
        {
          index: 1,
          name: 'ramp',
          startMs: 5000,
          endMs: 15_000,
          durationMs: 10_000,
          rate: { from: 200, to: 2000 },
        },
      ],
    });
  });

  it('ends a ramp cut by maxDurationMs at the rate it had reached', () => {
    const plan = buildPlan(open([{ duration: '10s', rate: { from: 100, to: 1100 } }]), {
      maxDurationMs: 4000,
    });
    expect(plan.phases[0]?.rate).toEqual({ from: 100, to: 500 });
  });

  it('describes rates and planned arrivals', () => {
    const s = open([{ name: 'ramp', duration: '10s', rate: { from: 100, to: 300 } }], {
      arrivals: 'poisson',
      maxInFlight: 50,
    });
    const text = describePlan(buildPlan(s), s);
    expect(text).toContain('open model (poisson arrivals, at most 50 in flight), 1 worker');
    expect(text).toMatch(/1\s+ramp\s+0s\s+10s\s+10s\s+100\/s -> 300\/s\s+2000$/m);
  });
});
