/**
 * The change in a latency percentile between two sets of runs, each set's requests pooled into
 * one distribution, with a two-stage bootstrap for its uncertainty:
 *
 *   pooled estimate   ln(Q_B / Q_A): Q the percentile of all of a side's requests together
 *   one replicate     1. draw runs with replacement (paired: the same pair indices on both sides,
 *                        so noise the two sides of a pair shared cancels in the ratio)
 *                     2. within each drawn run, give every request a Poisson(1) weight (a bucket
 *                        of c equal latencies gets a Poisson(c) count: the Poisson bootstrap)
 *                     3. pool each side's weighted requests and take the ratio of percentiles
 *
 * Stage 1 carries the run-to-run variation (each run's own pauses, the host's state), stage 2 the
 * sampling noise of a percentile within a run (Davison & Hinkley, Bootstrap Methods and their
 * Application, 1997, §3.8, two-stage sampling). Intervals are percentile intervals of the
 * replicates, widened for the few runs a comparison has (see {@link bootstrapBounds}). Pure and
 * seeded: the same runs and seed give the same figures.
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

export interface PooledBootstrapInput {
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

/** Per quantile: the pooled figures and the sorted replicates of ln(Q_B / Q_A). */
export interface PooledQuantileChange {
  quantile: number;
  /** The percentile of all of A's requests pooled, µs (0 when A has none). */
  pooledAUs: number;
  pooledBUs: number;
  /** ln(pooledB / pooledA). */
  estimate: number;
  /** Replicates of ln(Q_B / Q_A) over resampled runs, ascending; replicates with an empty side are left out. */
  replicates: Float64Array;
}

/** Pools each side and bootstraps the change of every asked percentile at once. */
export function pooledQuantileChanges(input: PooledBootstrapInput): PooledQuantileChange[] {
  const { a, b, paired, quantiles } = input;
  if (paired && a.length !== b.length) {
    throw new RangeError(`paired bootstrap: A has ${a.length} runs and B has ${b.length}`);
  }
  const order = quantiles.map((q, i) => ({ q, i })).sort((x, y) => x.q - y.q);
  // The estimate from the exact values.
  const exact = indexRuns([...a, ...b], (v) => v);
  const pooledA = pooledQuantiles(exact.runs.slice(0, a.length), exact.grid, order);
  const pooledB = pooledQuantiles(exact.runs.slice(a.length), exact.grid, order);
  // The replicates on bins 0.5% wide: a run holds a few hundred of them instead of thousands of
  // distinct values, and a bin moves a percentile by at most 0.5%.
  const coarse = indexRuns([...a, ...b], (v) => Math.floor(Math.log(v) / binWidth));
  const runsA = coarse.runs.slice(0, a.length);
  const runsB = coarse.runs.slice(a.length);
  const grid = coarse.grid;
  const accA = new Float64Array(grid.length);
  const accB = new Float64Array(grid.length);
  const qa = new Float64Array(quantiles.length);
  const qb = new Float64Array(quantiles.length);

  const random = createRandom(input.seed ?? 1);
  const resamples = input.resamples ?? 4000;
  const replicates = quantiles.map(() => new Float64Array(resamples));
  let kept = 0;
  const picksA = new Int32Array(a.length);
  const picksB = new Int32Array(b.length);
  const timesA = new Int32Array(a.length);
  const timesB = new Int32Array(b.length);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < picksA.length; k++) picksA[k] = Math.floor(random.next() * a.length);
    if (paired) picksB.set(picksA);
    else for (let k = 0; k < picksB.length; k++) picksB[k] = Math.floor(random.next() * b.length);
    const okA = resampleInto(runsA, picksA, timesA, accA, random);
    const okB = resampleInto(runsB, picksB, timesB, accB, random);
    if (!okA || !okB) continue;
    quantilesOf(accA, grid, order, qa);
    quantilesOf(accB, grid, order, qb);
    for (let i = 0; i < quantiles.length; i++) {
      // Bin indices: their difference times the width is the log ratio.
      (replicates[i] as Float64Array)[kept] = ((qb[i] as number) - (qa[i] as number)) * binWidth;
    }
    kept++;
  }
  return quantiles.map((quantile, i) => ({
    quantile,
    pooledAUs: pooledA[i] as number,
    pooledBUs: pooledB[i] as number,
    estimate: Math.log((pooledB[i] as number) / (pooledA[i] as number)),
    replicates: (replicates[i] as Float64Array).slice(0, kept).sort(),
  }));
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

/** The asked quantiles of the runs' counts pooled (in `order`'s original positions). */
function pooledQuantiles(
  runs: readonly IndexedRun[],
  grid: readonly number[],
  order: readonly { q: number; i: number }[],
): number[] {
  const acc = new Float64Array(grid.length);
  for (const run of runs) run.slots.forEach((slot, j) => (acc[slot] += run.counts[j] as number));
  const out = new Float64Array(order.length);
  quantilesOf(acc, grid, order, out);
  return Array.from(out);
}

/**
 * Adds each picked run's Poisson-weighted counts into `acc`; false when nothing was drawn. A run
 * picked m times gives each of its requests the sum of m Poisson(1) weights, a Poisson(m) weight,
 * so a bucket of c gets one Poisson(m·c) draw.
 */
function resampleInto(
  runs: readonly IndexedRun[],
  picks: Int32Array,
  times: Int32Array,
  acc: Float64Array,
  random: Random,
): boolean {
  acc.fill(0);
  times.fill(0);
  for (const p of picks) times[p] = (times[p] as number) + 1;
  let total = 0;
  for (let r = 0; r < runs.length; r++) {
    const m = times[r] as number;
    if (m === 0) continue;
    const { slots, counts } = runs[r] as (typeof runs)[number];
    for (let j = 0; j < slots.length; j++) {
      const lambda = m * (counts[j] as number);
      let c: number;
      if (lambda <= poissonTableLimit) {
        // Inlined table draw: this loop is nearly all of a comparison's time.
        const table = poissonCdfTable(lambda);
        const u = random.next();
        c = 0;
        while (c < table.length && u >= (table[c] as number)) c++;
      } else {
        c = poissonDraw(lambda, random);
      }
      acc[slots[j] as number] += c;
      total += c;
    }
  }
  return total > 0;
}

/**
 * Fills `out` with the values at the asked quantiles of the counts in `acc` over `grid`, ranked as
 * HdrHistogram's getValueAtPercentile ranks them: the first value whose cumulative count reaches
 * max(1, ⌊q·total + 0.5⌋); every output is 0 when `acc` is empty.
 */
function quantilesOf(
  acc: Float64Array,
  grid: readonly number[],
  order: readonly { q: number; i: number }[],
  out: Float64Array,
): void {
  let total = 0;
  for (let j = 0; j < acc.length; j++) total += acc[j] as number;
  out.fill(0);
  if (total === 0) return;
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
