/**
 * The change in a latency percentile between two sets of runs, with a two-stage bootstrap for its
 * uncertainty. Each run counts once, however many requests it holds or how slow its tail is:
 *
 *   a side's figure   the geometric mean of its runs' percentiles, exp(mean ln Qᵢ)
 *   estimate          ln(B's figure / A's figure); paired, the mean of the pairs' ln(Q_Bᵢ / Q_Aᵢ)
 *   one replicate     1. draw runs with replacement (paired: the same pair indices on both sides,
 *                        so noise the two sides of a pair shared cancels in the ratio)
 *                     2. for each drawn run, give every request a Poisson(1) weight (a bucket of
 *                        c equal latencies gets a Poisson(c) count: the Poisson bootstrap) and
 *                        take that run's percentile again
 *                     3. the estimate over the drawn, reweighted runs
 *
 * Stage 1 carries the run-to-run variation (each run's own pauses, the host's state), stage 2 the
 * sampling noise of a percentile inside a run, which a run of few requests has more of (Davison &
 * Hinkley, Bootstrap Methods and their Application, 1997, §3.8, two-stage sampling). Pooling all
 * requests instead would let the one run with the slowest tail set the figure, and five such runs
 * are not five observations. Intervals are percentile intervals of the replicates, widened for the
 * few runs a comparison has (see {@link bootstrapBounds}). Pure and seeded: the same runs and seed
 * give the same figures.
 */
import { createRandom, type Random } from '../../protocol/index.js';
import { normalCdf } from './stats-normal.js';
import { poissonCdfTable, poissonDraw, poissonTableLimit } from './stats-poisson.js';
import { studentTQuantile } from './stats-student-t.js';

/** One run's latencies as counts per distinct value (µs, ascending). */
export interface LatencyCounts {
  valuesUs: readonly number[];
  counts: readonly number[];
}

export interface RunBootstrapInput {
  a: readonly LatencyCounts[];
  b: readonly LatencyCounts[];
  /** Run i of A was taken with run i of B (a duet); needs as many runs on each side. */
  paired: boolean;
  /** Percentiles as fractions, e.g. [0.5, 0.99]. */
  quantiles: readonly number[];
  /** Bootstrap replicates (default 4000). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
}

/** Per quantile: each side's figure and the sorted replicates of the log change. */
export interface RunQuantileChange {
  quantile: number;
  /** The geometric mean of A's runs' percentiles, µs (runs without requests left out). */
  aUs: number;
  bUs: number;
  /** ln(bUs / aUs). */
  estimate: number;
  /** Replicates of the estimate over resampled runs and requests, ascending. */
  replicates: Float64Array;
}

/** Bootstraps the change of every asked percentile at once. */
export function runQuantileChanges(input: RunBootstrapInput): RunQuantileChange[] {
  const { a, b, paired, quantiles } = input;
  if (paired && a.length !== b.length) {
    throw new RangeError(`paired bootstrap: A has ${a.length} runs and B has ${b.length}`);
  }
  const order = quantiles.map((q, i) => ({ q, i })).sort((x, y) => x.q - y.q);
  // The estimate from the exact values of each run.
  const exact = indexRuns([...a, ...b], (v) => v);
  const exactLogs = exact.runs.map((run) => logQuantilesOf(run, exact.grid, order, (v) => Math.log(v)));
  const figureA = meanLogs(exactLogs.slice(0, a.length), quantiles.length);
  const figureB = meanLogs(exactLogs.slice(a.length), quantiles.length);
  // The replicates on bins 0.5% wide: a run holds a few hundred of them instead of thousands of
  // distinct values, and a bin moves a percentile by at most 0.5%.
  const coarse = indexRuns([...a, ...b], (v) => Math.floor(Math.log(v) / binWidth));
  const runsA = coarse.runs.slice(0, a.length);
  const runsB = coarse.runs.slice(a.length);
  const acc = new Float64Array(coarse.grid.length);
  const binLog = (k: number) => k * binWidth;

  const random = createRandom(input.seed ?? 1);
  const resamples = input.resamples ?? 4000;
  const replicates = quantiles.map(() => new Float64Array(resamples));
  let kept = 0;
  const sumA = new Float64Array(quantiles.length);
  const sumB = new Float64Array(quantiles.length);
  const one = new Float64Array(quantiles.length);
  const picksA = new Int32Array(a.length);
  const picksB = new Int32Array(b.length);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < picksA.length; k++) picksA[k] = Math.floor(random.next() * a.length);
    if (paired) picksB.set(picksA);
    else for (let k = 0; k < picksB.length; k++) picksB[k] = Math.floor(random.next() * b.length);
    const nA = resampledLogSum(runsA, picksA, coarse.grid, order, acc, one, sumA, random, binLog);
    const nB = resampledLogSum(runsB, picksB, coarse.grid, order, acc, one, sumB, random, binLog);
    if (nA === 0 || nB === 0) continue;
    for (let i = 0; i < quantiles.length; i++) {
      (replicates[i] as Float64Array)[kept] = (sumB[i] as number) / nB - (sumA[i] as number) / nA;
    }
    kept++;
  }
  return quantiles.map((quantile, i) => ({
    quantile,
    aUs: Math.exp(figureA[i] as number),
    bUs: Math.exp(figureB[i] as number),
    estimate: (figureB[i] as number) - (figureA[i] as number),
    replicates: (replicates[i] as Float64Array).slice(0, kept).sort(),
  }));
}

/** The mean over runs (those with requests) of each quantile's log; NaN when no run has requests. */
function meanLogs(logs: readonly (Float64Array | undefined)[], n: number): Float64Array {
  const sum = new Float64Array(n);
  let runs = 0;
  for (const run of logs) {
    if (run === undefined) continue;
    runs++;
    for (let i = 0; i < n; i++) sum[i] = (sum[i] as number) + (run[i] as number);
  }
  return sum.map((x) => x / runs);
}

/** Each quantile's log for one run's counts; undefined when the run has no requests. */
function logQuantilesOf(
  run: IndexedRun,
  grid: readonly number[],
  order: readonly { q: number; i: number }[],
  log: (gridValue: number) => number,
): Float64Array | undefined {
  const acc = new Float64Array(grid.length);
  run.slots.forEach((slot, j) => (acc[slot] += run.counts[j] as number));
  const out = new Float64Array(order.length);
  if (!quantilesOf(acc, grid, order, out)) return undefined;
  return out.map(log);
}

/** Width of the bootstrap's bins on the log scale (0.5%). */
const binWidth = 0.005;

interface IndexedRun {
  slots: Int32Array;
  counts: Float64Array;
}

/** Each run's counts on one grid of the distinct keys of all runs' values (ascending). */
function indexRuns(
  runs: readonly LatencyCounts[],
  key: (valueUs: number) => number,
): { runs: IndexedRun[]; grid: number[] } {
  const keyed = runs.map((run) => {
    const byKey = new Map<number, number>();
    run.valuesUs.forEach((v, j) => {
      const k = key(v);
      byKey.set(k, (byKey.get(k) ?? 0) + (run.counts[j] as number));
    });
    return byKey;
  });
  const grid = [...new Set(keyed.flatMap((m) => [...m.keys()]))].sort((x, y) => x - y);
  const at = new Map(grid.map((k, i) => [k, i]));
  return {
    grid,
    runs: keyed.map((m) => ({
      slots: Int32Array.from(m.keys(), (k) => at.get(k) as number),
      counts: Float64Array.from(m.values()),
    })),
  };
}

/**
 * For each picked run, Poisson-reweights its requests into `acc` and adds each quantile's log to
 * `sums`; returns how many picked runs had requests (those without are left out).
 */
function resampledLogSum(
  runs: readonly IndexedRun[],
  picks: Int32Array,
  grid: readonly number[],
  order: readonly { q: number; i: number }[],
  acc: Float64Array,
  one: Float64Array,
  sums: Float64Array,
  random: Random,
  log: (gridValue: number) => number,
): number {
  sums.fill(0);
  let counted = 0;
  for (const p of picks) {
    const { slots, counts } = runs[p] as IndexedRun;
    let total = 0;
    for (let j = 0; j < slots.length; j++) {
      const lambda = counts[j] as number;
      let c: number;
      if (lambda <= poissonTableLimit && Number.isInteger(lambda)) {
        // Inlined table draw: this loop is nearly all of a comparison's time.
        const table = poissonCdfTable(lambda);
        const u = random.next();
        c = 0;
        while (c < table.length && u >= (table[c] as number)) c++;
      } else {
        c = poissonDraw(lambda, random);
      }
      acc[slots[j] as number] = c;
      total += c;
    }
    if (total === 0) {
      for (let j = 0; j < slots.length; j++) acc[slots[j] as number] = 0;
      continue;
    }
    quantilesOfSlots(acc, slots, grid, order, total, one);
    for (let j = 0; j < slots.length; j++) acc[slots[j] as number] = 0;
    for (let i = 0; i < one.length; i++) sums[i] = (sums[i] as number) + log(one[i] as number);
    counted++;
  }
  return counted;
}

/** Like {@link quantilesOf}, scanning only a run's own slots (ascending) of `acc`. */
function quantilesOfSlots(
  acc: Float64Array,
  slots: Int32Array,
  grid: readonly number[],
  order: readonly { q: number; i: number }[],
  total: number,
  out: Float64Array,
): void {
  let k = 0;
  let cumulative = 0;
  for (let j = 0; j < slots.length && k < order.length; j++) {
    const slot = slots[j] as number;
    cumulative += acc[slot] as number;
    while (k < order.length) {
      const { q, i } = order[k] as { q: number; i: number };
      if (cumulative < Math.max(1, Math.floor(q * total + 0.5))) break;
      out[i] = grid[slot] as number;
      k++;
    }
  }
}

/**
 * Fills `out` with the values at the asked quantiles of the counts in `acc` over `grid`, ranked as
 * HdrHistogram's getValueAtPercentile ranks them: the first value whose cumulative count reaches
 * max(1, ⌊q·total + 0.5⌋); false (and every output 0) when `acc` is empty.
 */
function quantilesOf(
  acc: Float64Array,
  grid: readonly number[],
  order: readonly { q: number; i: number }[],
  out: Float64Array,
): boolean {
  let total = 0;
  for (let j = 0; j < acc.length; j++) total += acc[j] as number;
  out.fill(0);
  if (total === 0) return false;
  let k = 0;
  let cumulative = 0;
  for (let j = 0; j < acc.length && k < order.length; j++) {
    cumulative += acc[j] as number;
    while (k < order.length) {
      const { q, i } = order[k] as { q: number; i: number };
      const rank = Math.max(1, Math.floor(q * total + 0.5));
      if (cumulative < rank) break;
      out[i] = grid[j] as number;
      k++;
    }
  }
  return true;
}

/**
 * Bounds from sorted bootstrap replicates at `confidence`, widened for `runs` runs (the fewer
 * side's runs, or pairs) by the expanded percentile method (Hesterberg, "What teachers should know
 * about the bootstrap", The American Statistician 69(4), 2015): the percentile taken at tail
 * Φ(−√(n/(n−1)) · t₍₁₋α, n−1₎) instead of α, which makes up for the bootstrap's narrowness with few
 * samples. Two-sided splits α between the ends; "lower-bound"/"upper-bound" give one end at α.
 * Undefined for fewer than 3 runs or too few replicates to reach the tail.
 */
export function bootstrapBounds(
  replicates: Float64Array,
  runs: number,
  confidence: number,
  alternative: 'two-sided' | 'lower-bound' | 'upper-bound',
): { low: number; high: number; tail: number } | undefined {
  if (runs < 3 || replicates.length === 0) return undefined;
  const alpha = alternative === 'two-sided' ? (1 - confidence) / 2 : 1 - confidence;
  const tail = normalCdf(-Math.sqrt(runs / (runs - 1)) * studentTQuantile(1 - alpha, runs - 1));
  if (tail * replicates.length < 1) return undefined;
  const pick = (p: number) => {
    const pos = p * (replicates.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, replicates.length - 1);
    return (
      (replicates[lo] as number) + (pos - lo) * ((replicates[hi] as number) - (replicates[lo] as number))
    );
  };
  const low = alternative === 'upper-bound' ? -Infinity : pick(tail);
  const high = alternative === 'lower-bound' ? Infinity : pick(1 - tail);
  return { low, high, tail };
}
