import { describe, expect, it } from 'vitest';
import { expandMatrix, parseMatrixFlag } from '../../src/experiments/index.js';
import { isLoadlabError } from '../../src/shared/index.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (isLoadlabError(error, 'BAD_MATRIX')) return [...(error.problems ?? [])];
    throw error;
  }
  throw new Error('expected BAD_MATRIX');
}

describe('matrix expansion', () => {
  it('makes every combination, the last axis varying fastest, each as --set overrides', () => {
    const variants = expandMatrix({ 'service.db.pool.max': [5, 10], 'service.cache.enabled': [true, false] });
    expect(variants.map((v) => v.name)).toEqual([
      'service.db.pool.max=5,service.cache.enabled=true',
      'service.db.pool.max=5,service.cache.enabled=false',
      'service.db.pool.max=10,service.cache.enabled=true',
      'service.db.pool.max=10,service.cache.enabled=false',
    ]);
    expect(variants[1]?.sets).toEqual(['service.db.pool.max=5', 'service.cache.enabled=false']);
    expect(variants.map((v) => v.index)).toEqual([1, 2, 3, 4]);
  });

  it('zips axes of equal length', () => {
    const variants = expandMatrix(
      { 'load.phases[0].rate': [100, 200], 'service.db.pool.max': [4, 8] },
      'zip',
    );
    expect(variants.map((v) => v.values)).toEqual([
      { 'load.phases[0].rate': 100, 'service.db.pool.max': 4 },
      { 'load.phases[0].rate': 200, 'service.db.pool.max': 8 },
    ]);
  });

  it('writes object values as JSON, which --set reads as YAML', () => {
    const [v] = expandMatrix({ 'dependencies.db.latency': [{ dist: 'constant', ms: 5 }] });
    expect(v?.sets).toEqual(['dependencies.db.latency={"dist":"constant","ms":5}']);
  });

  it('lists every problem at once: an empty axis, unequal zip axes, too many variants', () => {
    expect(problemsOf(() => expandMatrix({ a: [], b: [1, 2], c: [1] }, 'zip'))).toEqual([
      'matrix.a: expected a non-empty list of values, got []',
      'matrix (zip): every axis needs the same number of values, got a: 0, b: 2, c: 1',
    ]);
    expect(problemsOf(() => expandMatrix({ a: [1, 2, 3], b: [1, 2, 3] }, 'product', 8))).toEqual([
      'matrix: 9 variants is more than 8; pass --yes to run them all, or trim the matrix',
    ]);
    expect(problemsOf(() => expandMatrix({}))).toHaveLength(1);
  });
});

describe('--matrix path=v1,v2', () => {
  it.each([
    ['service.db.pool.max=2,4,8', { path: 'service.db.pool.max', values: [2, 4, 8] }],
    ['service.cache.enabled=true,false', { path: 'service.cache.enabled', values: [true, false] }],
    ['load.phases[0].duration=5s,10s', { path: 'load.phases[0].duration', values: ['5s', '10s'] }],
    ['x=[1,2],{"a":1}', { path: 'x', values: [[1, 2], { a: 1 }] }],
  ])('reads %s', (text, expected) => {
    expect(parseMatrixFlag(text)).toEqual(expected);
  });

  it.each(['service.db.pool.max', '=1,2', 'a=', 'a=1,,2'])('refuses %s with the reason', (text) => {
    expect(parseMatrixFlag(text)).toHaveProperty('reason');
  });
});
