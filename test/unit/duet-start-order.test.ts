import { describe, expect, it } from 'vitest';
import { duetStartOrder } from '../../src/experiments/index.js';

describe('duetStartOrder', () => {
  it('starts A first in odd repeats and B first in even ones, so an even count is balanced', () => {
    expect([1, 2, 3, 4, 5].map((r) => duetStartOrder(r)[0])).toEqual(['a', 'b', 'a', 'b', 'a']);
    for (let r = 1; r <= 5; r++) expect([...duetStartOrder(r)].sort()).toEqual(['a', 'b']);
    const firsts = Array.from({ length: 6 }, (_, i) => duetStartOrder(i + 1)[0]);
    expect(firsts.filter((s) => s === 'a').length).toBe(firsts.filter((s) => s === 'b').length);
  });
});
