import { describe, expect, it } from 'vitest';
import { sweepDocument } from '../../src/analysis/index.js';
import { formatSweep, sweepMarkdown, sweepSuite } from '../../src/report/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { runWith } from '../helpers/synthetic-runs.js';

function run(p99: number): ResultDocument {
  const doc = runWith({ p99 });
  return { ...doc, slo: [{ name: 'p99Ms', limit: 50, actual: p99, held: p99 <= 50, margin: 50 - p99 }] };
}

const doc = sweepDocument({
  scenario: 'pools',
  startedAt: '2026-12-02T07:00:00.000Z',
  repeats: 3,
  seed: 1,
  matrix: { mode: 'product', axes: { 'service.db.pool.max': [2, 8, 4] } },
  rankBy: 'p99',
  confidence: 0.9,
  interrupted: false,
  variants: [
    {
      index: 1,
      name: 'pool=2',
      dir: '1-pool=2',
      settings: {},
      results: [80, 90, 95].map(run),
      runs: ['a', 'b', 'c'],
    },
    {
      index: 2,
      name: 'pool=8',
      dir: '2-pool=8',
      settings: {},
      results: [10, 11, 12].map(run),
      runs: ['d', 'e', 'f'],
    },
    {
      index: 3,
      name: 'pool=4',
      dir: '3-pool=4',
      settings: {},
      results: [],
      runs: [],
      failure: { code: 'CHILD_FAILED', message: 'the service process exited before it was ready', repeat: 1 },
    },
  ],
});

describe('a sweep in the terminal, Markdown and JUnit', () => {
  it('shows each variant with its verdict and figures, then the decision', () => {
    const text = formatSweep(doc);
    expect(text).toMatch(/1\s+pool=8\s+winner\s+3\/3 runs\s+/);
    expect(text).toMatch(/pool=2\s+misses\s+0\/3 runs/);
    expect(text).toContain('failed: repeat 1: the service process exited before it was ready');
    expect(text.trimEnd().endsWith(doc.decision)).toBe(true);
    expect(sweepMarkdown(doc)).toContain('| 1 | pool=8 | winner | 3/3 runs |');
  });

  it('makes one JUnit case per variant: passed when its SLOs held, failed when they missed or it failed', () => {
    const suite = sweepSuite(doc);
    expect(suite.cases.map((c) => [c.name, c.outcome.kind])).toEqual([
      ['pool=2', 'failure'],
      ['pool=8', 'passed'],
      ['pool=4', 'failure'],
    ]);
  });
});
