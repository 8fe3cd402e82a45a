import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoadlabError } from '../../src/shared/index.js';
import { defaultLabTimeouts, planRun, scenarioSchema, type ScenarioInput } from '../../src/scenario/index.js';

const base: ScenarioInput = {
  name: 'plan',
  seed: 42,
  load: {
    model: 'closed',
    timeout: '3s',
    phases: [
      { name: 'a', duration: '5s', connections: 2 },
      { name: 'b', duration: '5s', connections: 4 },
    ],
    requests: [{ path: '/users/{{seq}}' }],
  },
};
const withFault: ScenarioInput = {
  ...base,
  faults: [{ at: '1s', for: '1s', on: 'db', latency: { latency: 10 } }],
};

describe('planRun', () => {
  it('carries everything one run needs, and survives a JSON round trip unchanged', () => {
    const scenario = scenarioSchema.parse(base);
    const plan = planRun(scenario, { scenarioDir: '/scenarios', maxDurationMs: 7000 });
    expect(plan.target).toEqual({
      kind: 'reference',
      service: scenario.service,
      dependencies: scenario.dependencies,
    });
    expect(plan.load.totalMs).toBe(7000);
    expect(plan.load.phases.map((p) => p.durationMs)).toEqual([5000, 2000]);
    expect(plan.requests).toEqual({ specs: scenario.load.requests, baseDir: '/scenarios' });
    expect(plan.seed).toBe(42);
    expect(plan.timeouts).toEqual({ requestMs: 3000, ...defaultLabTimeouts });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it.each([
    {
      case: 'an external target with its own fault proxy',
      input: withFault,
      options: { target: 'http://127.0.0.1:1', proxyAdminUrl: 'http://127.0.0.1:2' },
      target: { kind: 'external', url: 'http://127.0.0.1:1', proxyAdminUrl: 'http://127.0.0.1:2' },
    },
    {
      case: 'an external target, no faults, no proxy',
      input: base,
      options: { target: 'http://127.0.0.1:1' },
      target: { kind: 'external', url: 'http://127.0.0.1:1' },
    },
  ])('plans $case', ({ input, options, target }) => {
    const plan = planRun(scenarioSchema.parse(input), { scenarioDir: '.', ...options });
    expect(plan.target).toEqual(target);
  });

  it.each([
    {
      case: 'faults against an external target with no fault proxy',
      input: withFault,
      options: { target: 'http://127.0.0.1:1' },
      problem: /faults: the scenario has 1 fault\(s\), but an external target has no lab fault proxy/,
    },
    {
      case: 'a fault proxy without an external target',
      input: base,
      options: { proxyAdminUrl: 'http://127.0.0.1:2' },
      problem: /a fault proxy admin URL was given without an external target/,
    },
  ])('refuses $case with BAD_PLAN, in words without flag names', ({ input, options, problem }) => {
    let error: unknown;
    try {
      planRun(scenarioSchema.parse(input), { scenarioDir: '.', ...options });
    } catch (e) {
      error = e;
    }
    expect(isLoadlabError(error, 'BAD_PLAN')).toBe(true);
    const problems = (error as { problems: string[] }).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
    expect(problems[0]).not.toMatch(/--[a-z]/);
  });
});

describe('the run pipeline outside the CLI', () => {
  it('names no command-line flag in the lab, telemetry or results modules', () => {
    const offenders: string[] = [];
    for (const folder of ['src/lab', 'src/telemetry', 'src/results']) {
      for (const name of readdirSync(folder)) {
        if (!name.endsWith('.ts')) continue;
        const text = readFileSync(join(folder, name), 'utf8');
        for (const flag of ['--target', '--proxy', '--duration', '--out', '--workers', '--seed']) {
          if (text.includes(flag)) offenders.push(`${folder}/${name}: ${flag}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
