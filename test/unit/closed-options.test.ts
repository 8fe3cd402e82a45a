import { describe, expect, it } from 'vitest';
import { buildPlan, describePlan, scenarioSchema } from '../../src/scenario/index.js';

function closed(extra: Record<string, unknown>) {
  return scenarioSchema.safeParse({
    name: 'x',
    load: { model: 'closed', phases: [{ duration: 1, connections: 2 }], requests: [{ path: '/' }], ...extra },
  });
}

describe('closed-model think time and pipelining', () => {
  it.each([
    [{}, undefined],
    [{ pipelining: 4 }, { pipelining: 4 }],
    [{ thinkTime: '100ms' }, { pipelining: 1, thinkTime: { dist: 'constant', ms: 100 } }],
    [
      { thinkTime: { dist: 'uniform', min: '50ms', max: '150ms' } },
      { pipelining: 1, thinkTime: { dist: 'uniform', minMs: 50, maxMs: 150 } },
    ],
    [
      { thinkTime: { dist: 'exponential', mean: 0.2 } },
      { pipelining: 1, thinkTime: { dist: 'exponential', meanMs: 200 } },
    ],
  ])('plans %j as %j', (extra, expected) => {
    const parsed = closed(extra);
    expect(parsed.success).toBe(true);
    if (parsed.success) expect(buildPlan(parsed.data).closed).toEqual(expected);
  });

  it.each([
    [{ pipelining: 0 }, ['load', 'pipelining']],
    [{ thinkTime: 'soon' }, ['load', 'thinkTime']],
    [{ thinkTime: { dist: 'normal', mean: '1s' } }, ['load', 'thinkTime']],
  ])('refuses %j at %j', (extra, path) => {
    const parsed = closed(extra);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues.map((i) => i.path)).toContainEqual(path);
  });

  it('shows them in the printed plan', () => {
    const parsed = closed({ pipelining: 4, thinkTime: { dist: 'uniform', min: '50ms', max: '150ms' } });
    if (!parsed.success) throw parsed.error;
    expect(describePlan(buildPlan(parsed.data), parsed.data)).toContain(
      'closed model (pipelining 4, think time uniform 50ms..150ms)',
    );
  });
});
