import { describe, expect, it } from 'vitest';
import { createRandom } from '../../protocol/index.js';
import {
  decideWinner,
  paretoFront,
  sweepDocument,
  type SweepDocumentInput,
  type SweepVariantRuns,
} from '../../src/analysis/index.js';
import { pendingTrials, planSweep, sweepOrder, trialKey } from '../../src/experiments/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { loadlabError } from '../../src/shared/index.js';
import { runWith } from '../helpers/synthetic-runs.js';

/** A run with the given p99 and throughput whose p99 SLO (limit 50 ms) held or not. */
function run(p99: number, rps = 100): ResultDocument {
  const doc = runWith({ p99, rps });
  return { ...doc, slo: [{ name: 'p99Ms', limit: 50, actual: p99, held: p99 <= 50, margin: 50 - p99 }] };
}

function variant(index: number, p99s: number[], extra: Partial<SweepVariantRuns> = {}): SweepVariantRuns {
  const name = `pool=${index}`;
  return {
    index,
    name,
    dir: `${index}-${name}`,
    settings: { 'service.db.pool.max': index },
    results: p99s.map((p) => run(p)),
    runs: p99s.map((_, r) => `${index}-${name}/run-${r + 1}`),
    ...extra,
  };
}

function input(variants: SweepVariantRuns[], extra: Partial<SweepDocumentInput> = {}): SweepDocumentInput {
  return {
    scenario: 'synthetic',
    startedAt: '2026-12-02T07:00:00.000Z',
    repeats: 3,
    seed: 1,
    matrix: { mode: 'product', axes: { 'service.db.pool.max': variants.map((v) => v.index) } },
    rankBy: 'p99',
    confidence: 0.9,
    interrupted: false,
    variants,
    ...extra,
  };
}

describe('the winner of a sweep', () => {
  it('is the best candidate when every run of it beats every run of each other candidate', () => {
    const d = decideWinner(
      [
        { name: 'b', values: [20, 21, 22] },
        { name: 'a', values: [10, 11, 12] },
        { name: 'c', values: [30, 31, 33] },
      ],
      'p99',
      0.9,
    );
    expect(d.outcome).toBe('winner');
    expect(d.first).toEqual(['a']);
    expect(d.order).toEqual(['a', 'b', 'c']);
    expect(d.comparisons.map((c) => c.verdict)).toEqual(['better', 'better']);
  });

  it('is a tie when the runs overlap, however good the best median looks', () => {
    const d = decideWinner(
      [
        { name: 'a', values: [10, 11, 40] },
        { name: 'b', values: [12, 13, 14] },
      ],
      'p99',
      0.9,
    );
    expect(d.outcome).toBe('tie');
    expect(d.first).toEqual(['a', 'b']);
  });

  it('is a tie when the two are the same within the ±2% margin ("no change")', () => {
    const d = decideWinner(
      [
        { name: 'a', values: [100, 100.2, 100.4] },
        { name: 'b', values: [100.5, 100.6, 100.7] },
      ],
      'p99',
      0.9,
    );
    expect(d.comparisons[0]?.verdict).toBe('no change');
    expect(d.outcome).toBe('tie');
  });

  it('never comes from a single lucky run: one run each cannot decide', () => {
    const d = decideWinner(
      [
        { name: 'a', values: [10] },
        { name: 'b', values: [50] },
      ],
      'p99',
      0.9,
    );
    expect(d.outcome).toBe('tie');
    expect(d.comparisons[0]?.verdict).toBe('inconclusive');
  });

  it('ranks throughput and goodput highest first', () => {
    const d = decideWinner(
      [
        { name: 'slow', values: [100, 101, 102] },
        { name: 'fast', values: [200, 201, 202] },
      ],
      'rps',
      0.9,
    );
    expect(d.first).toEqual(['fast']);
    expect(d.outcome).toBe('winner');
  });
});

describe('the Pareto front of throughput against p99', () => {
  it.each([
    [[{ name: 'a', rps: 100, p99Ms: 10 }], ['a']],
    [
      [
        { name: 'a', rps: 100, p99Ms: 10 },
        { name: 'b', rps: 200, p99Ms: 20 },
        { name: 'c', rps: 150, p99Ms: 30 },
      ],
      ['a', 'b'],
    ],
    [
      [
        { name: 'a', rps: 100, p99Ms: 10 },
        { name: 'b', rps: 100, p99Ms: 10 },
      ],
      ['a', 'b'],
    ],
    [
      [
        { name: 'a', rps: 100, p99Ms: 10 },
        { name: 'b', rps: 100, p99Ms: 11 },
      ],
      ['a'],
    ],
  ])('of %j is %j', (points, front) => {
    expect(paretoFront(points)).toEqual(front);
  });
});

describe('the sweep document', () => {
  it('names the winner among the variants whose SLOs held in every repeat, and ranks the rest', () => {
    const doc = sweepDocument(
      input([
        variant(2, [80, 90, 95]),
        variant(8, [10, 11, 12]),
        variant(16, [20, 21, 22]),
        variant(64, [12, 60, 13]),
      ]),
    );
    expect(doc.outcome).toBe('winner');
    expect(doc.winner).toBe('pool=8');
    expect(doc.complete).toBe(true);
    const byName = Object.fromEntries(doc.variants.map((v) => [v.name, v]));
    expect(byName['pool=8']).toMatchObject({ verdict: 'winner', rank: 1, status: 'done' });
    expect(byName['pool=16']).toMatchObject({ verdict: 'holds', rank: 2 });
    // One repeat of 64 missed the SLO: it is no candidate, however good its other runs.
    expect(byName['pool=64']).toMatchObject({ verdict: 'misses', slo: { held: false, runsHeld: 2 } });
    expect(byName['pool=2']?.slo.checks[0]).toMatchObject({ name: 'p99Ms', held: 0, runs: 3 });
    expect(byName['pool=8']?.latencyMs?.p99).toEqual({ median: 11, min: 10, max: 12, n: 3 });
    expect(doc.decision).toContain('pool=8 wins');
  });

  it('records a variant that failed to start, with the reason, and decides among the others', () => {
    const failed = variant(4, [], {
      failure: { code: 'CHILD_FAILED', message: 'the service process exited before it was ready', repeat: 1 },
    });
    const doc = sweepDocument(input([variant(8, [10, 11, 12]), failed]));
    const v = doc.variants.find((x) => x.index === 4);
    expect(v).toMatchObject({ status: 'failed', verdict: 'failed', failureCode: 'CHILD_FAILED' });
    expect(v?.reason).toContain('exited before it was ready');
    expect(doc.outcome).toBe('winner');
    expect(doc.winner).toBe('pool=8');
  });

  it('says so when no variant held its SLOs, when every variant failed, and when runs are missing', () => {
    expect(sweepDocument(input([variant(2, [80, 90, 95])])).outcome).toBe('none-held');
    const failure = { code: 'CHILD_FAILED', message: 'x', repeat: 1 };
    expect(sweepDocument(input([variant(2, [], { failure })])).outcome).toBe('all-failed');
    const partial = sweepDocument(input([variant(2, [10, 11, 12]), variant(8, [10])], { interrupted: true }));
    expect(partial).toMatchObject({ outcome: 'incomplete', complete: false, winner: null });
    expect(partial.variants[1]).toMatchObject({ status: 'pending', verdict: 'pending' });
  });

  it('says which variants tie, with each comparison', () => {
    const doc = sweepDocument(input([variant(8, [10, 11, 30]), variant(16, [12, 13, 14])]));
    expect(doc.outcome).toBe('tie');
    expect(doc.winner).toBeNull();
    expect(doc.tie).toEqual(['pool=8', 'pool=16']);
    expect(doc.variants.map((v) => v.verdict)).toEqual(['tie', 'tie']);
    expect(doc.comparisons[0]).toMatchObject({ best: 'pool=8', other: 'pool=16', verdict: 'inconclusive' });
  });
});

describe('resume planning', () => {
  it('keeps the seeded order and drops the runs done and the variants that failed', () => {
    const order = sweepOrder(4, 3, createRandom(9));
    expect(order).toEqual(sweepOrder(4, 3, createRandom(9)));
    expect(order).toHaveLength(12);
    const done = new Set(order.slice(0, 5).map(trialKey));
    const pending = pendingTrials(order, done, new Set([2]));
    expect(pending).toEqual(order.slice(5).filter((t) => t.variant !== 2));
    // A resumed sweep makes exactly the runs an uninterrupted one would have made after them.
    expect([...order.slice(0, 5), ...pendingTrials(order, done, new Set())]).toEqual(order);
  });
});

describe('planning a sweep', () => {
  /** Plans like the scenario loader: pool.max must be 1..1024, "maxx" is no field, 3 with ttl 0 clash. */
  const plan = async (overrides: { set: string; flag: string }[]) => {
    const problems: string[] = [];
    const sets = Object.fromEntries(overrides.map((o) => o.set.split('=') as [string, string]));
    if ('service.db.pool.maxx' in sets)
      problems.push('x.yaml: service.db.pool: unknown field "maxx" (from the matrix)');
    const max = Number(sets['service.db.pool.max'] ?? 10);
    if (max > 1024)
      problems.push(`x.yaml: service.db.pool.max: expected at most 1024, got ${max} (from the matrix)`);
    if (max === 3 && sets['service.cache.ttlMs'] === '0') problems.push('x.yaml: 3 and 0 clash');
    if (problems.length > 0) throw loadlabError('SCENARIO_INVALID', 'x.yaml is not valid', { problems });
    return { max };
  };
  const problemsOf = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      return { code: (error as { code: string }).code, problems: (error as { problems: string[] }).problems };
    }
    return undefined;
  };

  it('plans every variant, each in a folder named after its settings', async () => {
    const variants = await planSweep({
      axes: [{ path: 'service.db.pool.max', values: [2, 8], source: 'the matrix' }],
      mode: 'product',
      maxVariants: 64,
      plan,
    });
    expect(variants.map((v) => [v.dir, v.plan])).toEqual([
      ['1-pool.max=2', { max: 2 }],
      ['2-pool.max=8', { max: 8 }],
    ]);
  });

  it('names the key, the value and the variants of every mistake, all at once', async () => {
    const found = await problemsOf(() =>
      planSweep({
        axes: [
          { path: 'service.db.pool.max', values: [2, 5000], source: 'the matrix' },
          { path: 'service.db.pool.maxx', values: [1, 2], source: '--matrix' },
        ],
        mode: 'product',
        maxVariants: 64,
        plan,
      }),
    );
    expect(found?.code).toBe('BAD_MATRIX');
    expect(found?.problems).toEqual([
      'service.db.pool.max=5000 (variants 3, 4 of 4): x.yaml: service.db.pool.max: expected at most 1024, got 5000 (from the matrix)',
      'service.db.pool.maxx (every variant): x.yaml: service.db.pool: unknown field "maxx" (from the matrix)',
    ]);
  });

  it('refuses an empty list and too many variants, and names a variant whose values only clash together', async () => {
    const empty = await problemsOf(() =>
      planSweep({
        axes: [{ path: 'a', values: [], source: 'the matrix' }],
        mode: 'product',
        maxVariants: 64,
        plan,
      }),
    );
    expect(empty?.problems).toEqual(['matrix.a: expected a non-empty list of values, got []']);
    const many = await problemsOf(() =>
      planSweep({
        axes: [
          {
            path: 'service.db.pool.max',
            values: Array.from({ length: 65 }, (_, i) => i + 1),
            source: 'the matrix',
          },
        ],
        mode: 'product',
        maxVariants: 64,
        plan,
      }),
    );
    expect(many?.problems).toEqual([
      'matrix: 65 variants is more than 64; pass --yes to run them all, or trim the matrix',
    ]);
    const clash = await problemsOf(() =>
      planSweep({
        axes: [
          { path: 'service.db.pool.max', values: [3, 4], source: 'the matrix' },
          { path: 'service.cache.ttlMs', values: [0, 1], source: 'the matrix' },
        ],
        mode: 'product',
        maxVariants: 64,
        plan,
      }),
    );
    expect(clash?.problems).toEqual([
      'variant 1 of 4 (service.db.pool.max=3,service.cache.ttlMs=0): x.yaml: 3 and 0 clash',
    ]);
  });
});
