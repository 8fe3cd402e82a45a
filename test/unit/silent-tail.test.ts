/** A target that fell silent before the load ended: run-wide SLOs cannot hold over it. */
import { describe, expect, it } from 'vitest';
import { failOverSilence, silentTailS } from '../../src/analysis/index.js';
import type { ResultDocument, SloCheck } from '../../src/results/index.js';

type Run = Pick<ResultDocument, 'series' | 'summary' | 'interrupted'>;

/** A run with responses per second as given, and `unanswered` requests waiting at the end. */
function run(perSecond: number[], unanswered: number, interrupted = false): Run {
  return {
    interrupted,
    summary: { unanswered } as ResultDocument['summary'],
    series: perSecond.map((requests, t) => ({ t, requests }) as ResultDocument['series'][number]),
  };
}

const held: SloCheck[] = [
  { name: 'p99Ms', limit: 80, actual: 40, held: true, margin: 40 },
  { name: 'errorRate', limit: 0.01, actual: 0.003, held: true, margin: 0.007 },
];

describe('a target that fell silent', () => {
  it('counts the trailing seconds without a response while requests waited', () => {
    expect(silentTailS(run([5000, 1200, 0, 0, 0, 0], 64))).toBe(4);
    // Nothing waiting at the end: quiet seconds are the load's, not a silent target's.
    expect(silentTailS(run([5000, 1200, 0, 0], 0))).toBe(0);
    // Answers up to the last second: no silence.
    expect(silentTailS(run([5000, 5000, 4000], 12))).toBe(0);
    // An interrupted run's cut-short last second proves nothing.
    expect(silentTailS(run([5000, 0], 3, true))).toBe(0);
    expect(silentTailS(run([5000, 0, 0], 3, true))).toBe(1);
  });

  it('fails every run-wide check over a silent tail, with the reason, and leaves other runs alone', () => {
    const failed = failOverSilence(held, run([5000, 1200, 0, 0, 0, 0], 64));
    expect(failed.map((c) => c.held)).toEqual([false, false]);
    expect(failed[0]?.reason).toContain(
      'answered nothing in the last 4 s of the load while 64 request(s) waited',
    );
    // The measured figures stay as they were: only the verdict changes.
    expect(failed[0]?.actual).toBe(40);
    expect(failOverSilence(held, run([5000, 5000, 5000], 10))).toEqual(held);
  });
});
