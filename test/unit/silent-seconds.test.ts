/** A target that fell silent while requests waited: run-wide SLOs cannot hold over it. */
import { describe, expect, it } from 'vitest';
import { failOverSilence, silentSeconds } from '../../src/analysis/index.js';
import type { ResultDocument, SloCheck } from '../../src/results/index.js';

type Run = Pick<ResultDocument, 'series' | 'summary' | 'interrupted'>;

/** A run with, per second, [responses, errors, max latency ms]. */
function run(perSecond: Array<[number, number, number]>, interrupted = false): Run {
  return {
    interrupted,
    summary: {} as ResultDocument['summary'],
    series: perSecond.map(
      ([requests, errors, max], t) =>
        ({
          t,
          requests,
          errors,
          latencyMs: { p50: 0, p90: 0, p99: 0, max },
        }) as ResultDocument['series'][number],
    ),
  };
}

const held: SloCheck[] = [
  { name: 'p99Ms', limit: 80, actual: 21, held: true, margin: 59 },
  { name: 'errorRate', limit: 0.01, actual: 0, held: true, margin: 0.01 },
];

describe('a target that fell silent', () => {
  it('finds the seconds without any answer that a request waited through', () => {
    // Stuck from about 1 s; the 8 stuck requests answered in second 4 after ~4 s.
    expect(
      silentSeconds(
        run([
          [2116, 0, 20],
          [17, 0, 30],
          [0, 0, 0],
          [0, 0, 0],
          [8, 0, 4028],
        ]),
      ),
    ).toEqual([2, 3]);
    // Unanswered at the end are recorded in the last second at their age: the same reading.
    expect(
      silentSeconds(
        run([
          [5000, 0, 20],
          [0, 0, 0],
          [0, 0, 0],
          [0, 8, 3100],
        ]),
      ),
    ).toEqual([1, 2]);
    // Quiet seconds no request waited through are the load's own (a pause), not a silent target.
    expect(
      silentSeconds(
        run([
          [500, 0, 20],
          [0, 0, 0],
          [500, 0, 1500],
        ]),
      ),
    ).toEqual([]);
    // Errors are answers: a target failing fast is not silent.
    expect(
      silentSeconds(
        run([
          [500, 0, 20],
          [0, 300, 2],
          [0, 300, 2500],
        ]),
      ),
    ).toEqual([]);
    // An interrupted run's cut-short last second proves nothing.
    expect(
      silentSeconds(
        run(
          [
            [5000, 0, 20],
            [0, 0, 0],
          ],
          true,
        ),
      ),
    ).toEqual([]);
  });

  it('fails every run-wide check over silent seconds, with the reason, and leaves other runs alone', () => {
    const failed = failOverSilence(
      held,
      run([
        [2116, 0, 20],
        [17, 0, 30],
        [0, 0, 0],
        [0, 0, 0],
        [8, 0, 4028],
      ]),
    );
    expect(failed.map((c) => c.held)).toEqual([false, false]);
    expect(failed[0]?.reason).toContain(
      'answered nothing for 2 s of the load (t = 2–3 s) while requests waited',
    );
    // The measured figures stay as they were: only the verdict changes.
    expect(failed[0]?.actual).toBe(21);
    expect(
      failOverSilence(
        held,
        run([
          [5000, 0, 20],
          [5000, 0, 25],
        ]),
      ),
    ).toEqual(held);
  });
});
