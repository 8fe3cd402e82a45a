/** The fewest runs for a finite interval or bound, from the exact rank distributions. */
import { rankSumCut } from './stats-rank-sum.js';
import { signedRankCut } from './stats-signed-rank.js';

/**
 * The smallest design with a finite interval, in words: "at least 4 runs each (or 3 + 5, 2 + 8)"
 * for a two-sided 95% interval; with `sides` "one-sided", for a one-sided bound at that confidence
 * ("at least 5 pairs", "at least 3 runs each (or 2 + 5)").
 */
export function minimumRuns(
  design: 'unpaired' | 'paired',
  confidence: number,
  sides: 'two-sided' | 'one-sided' = 'two-sided',
): string {
  const tail = sides === 'two-sided' ? (1 - confidence) / 2 : 1 - confidence;
  if (design === 'paired') {
    let n = 1;
    while (signedRankCut(n, tail).k === 0) n++;
    return `at least ${n} pairs`;
  }
  let n = 1;
  while (rankSumCut(n, n, tail).k === 0) n++;
  const uneven: string[] = [];
  for (let small = n - 1; small >= 2; small--) {
    let large = n + 1;
    while (rankSumCut(small, large, tail).k === 0 && large < 100) large++;
    if (large < 100) uneven.push(`${small} + ${large}`);
  }
  return `at least ${n} runs each${uneven.length === 0 ? '' : ` (or ${uneven.join(', ')})`}`;
}
