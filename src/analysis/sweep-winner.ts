/**
 * Which variant of a sweep wins, with the evidence: the candidates (variants whose every SLO held
 * in every repeat) ordered by the median of the ranking figure, then the best compared with each
 * other candidate as `loadlab compare` compares two sets of runs (Hodges–Lehmann shift, exact
 * Mann–Whitney interval, ±2% equivalence margin). A winner only when it is better than every
 * other candidate with confidence; otherwise the candidates it could not be told apart from tie
 * with it. One lucky run never decides: each repeat is one observation.
 *
 * Also the Pareto front of throughput against p99: the variants no other beats on both at once.
 */
import { median, relativeMargin } from './compare-metrics.js';
import { verdictOf, type Verdict } from './compare-verdict.js';
import { twoSampleShift } from './stats-hodges-lehmann.js';

/** The figure variants are ranked by: p99 latency (lower wins), throughput or goodput (higher wins). */
export type RankBy = 'p99' | 'rps' | 'goodput';

/** Which way is worse, and the unit, for each ranking figure. */
export const rankFigures: Record<RankBy, { label: string; unit: string; worse: 'higher' | 'lower' }> = {
  p99: { label: 'p99 latency', unit: 'ms', worse: 'higher' },
  rps: { label: 'throughput', unit: 'req/s', worse: 'lower' },
  goodput: { label: 'goodput', unit: 'req/s', worse: 'lower' },
};

/** A candidate: its name and its figure in each repeat. */
export interface Candidate {
  name: string;
  values: readonly number[];
}

/** The best candidate compared with another: the change of the best relative to the other. */
export interface CandidateComparison {
  best: string;
  other: string;
  verdict: Verdict;
  /** Relative change best vs other (−0.12 = 12% lower), and its interval when finite. */
  change?: { estimate: number; low?: number; high?: number };
  reason: string;
}

/** The decision: one winner, or the candidates that tie for first. */
export interface WinnerDecision {
  outcome: 'winner' | 'tie';
  /** The winner, or every candidate tied for first (best median first). */
  first: string[];
  /** Every candidate, best median first. */
  order: string[];
  comparisons: CandidateComparison[];
}

/** Decides among `candidates` (at least one) by `rankBy` at `confidence` (e.g. 0.9). */
export function decideWinner(
  candidates: readonly Candidate[],
  rankBy: RankBy,
  confidence: number,
): WinnerDecision {
  const { worse } = rankFigures[rankBy];
  const better = (x: number, y: number) => (worse === 'higher' ? x - y : y - x);
  const sorted = [...candidates].sort(
    (a, b) =>
      better(median(a.values) ?? Infinity, median(b.values) ?? Infinity) || a.name.localeCompare(b.name),
  );
  const [best, ...others] = sorted;
  if (best === undefined) throw new RangeError('decideWinner: no candidates');
  const comparisons = others.map((other) => compareCandidates(best, other, rankBy, confidence));
  const tied = comparisons.filter((c) => c.verdict !== 'better').map((c) => c.other);
  return {
    outcome: tied.length === 0 ? 'winner' : 'tie',
    first: [best.name, ...tied],
    order: sorted.map((c) => c.name),
    comparisons,
  };
}

function compareCandidates(
  best: Candidate,
  other: Candidate,
  rankBy: RankBy,
  confidence: number,
): CandidateComparison {
  const { unit, worse } = rankFigures[rankBy];
  const all = [...best.values, ...other.values];
  // Logs need positive figures: with a 0 among them the change is a difference in the unit.
  const relative = all.every((v) => v > 0);
  const t = (v: number) => (relative ? Math.log(v) : v);
  const back = (v: number) => (relative ? Math.exp(v) - 1 : v);
  const shift = twoSampleShift(other.values.map(t), best.values.map(t), { confidence });
  const estimate = back(shift.estimate);
  const n = `n=${best.values.length} vs ${other.values.length}`;
  if (shift.interval === undefined) {
    return {
      best: best.name,
      other: other.name,
      verdict: 'inconclusive',
      change: { estimate },
      reason: `not enough repeats for a finite ${percent(confidence)} interval (${n})`,
    };
  }
  const change = {
    estimate,
    low: back(shift.interval.low),
    high: back(shift.interval.high),
    coverage: shift.interval.coverage,
  };
  const judged = verdictOf(change, {
    scale: relative ? 'relative' : 'difference',
    unit,
    worse,
    margin: relative ? relativeMargin : 0,
    confidence,
  });
  return {
    best: best.name,
    other: other.name,
    verdict: judged.verdict,
    change: { estimate, low: change.low, high: change.high },
    reason: `${judged.reason} (${n})`,
  };
}

/** A variant's place on the throughput/p99 plane (medians over its repeats). */
export interface ParetoPoint {
  name: string;
  rps: number;
  p99Ms: number;
}

/** The names of the points no other point dominates (as much throughput or more and as low a p99 or lower, one strictly). */
export function paretoFront(points: readonly ParetoPoint[]): string[] {
  return points
    .filter(
      (p) =>
        !points.some(
          (q) => q !== p && q.rps >= p.rps && q.p99Ms <= p.p99Ms && (q.rps > p.rps || q.p99Ms < p.p99Ms),
        ),
    )
    .map((p) => p.name);
}

function percent(confidence: number): string {
  return `${Number((confidence * 100).toFixed(1))}%`;
}
