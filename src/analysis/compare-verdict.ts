/**
 * The verdict on one metric's change, and a gate threshold's outcome, from the change's interval.
 * Pure; "inconclusive" is a verdict of its own and never a pass.
 *
 *   ──────────|──────(  interval  )──────|────────▶ change (B vs A)
 *          −margin          0         +margin
 *
 *   no change     the whole interval lies within ±margin (checked first)
 *   worse         the whole interval lies on the worse side of 0 (higher latency, lower rps)
 *   better        the whole interval lies on the better side of 0
 *   inconclusive  the interval straddles 0 and reaches past the margin, or there is no finite
 *                 interval (too few runs)
 */
import type { Threshold } from '../shared/index.js';
import { formatChange, formatInterval, type ChangeScale } from './compare-format.js';

/** The four verdicts on a metric. */
export type Verdict = 'better' | 'worse' | 'no change' | 'inconclusive';

/** A change's estimate and interval on the metric's scale (a fraction for relative metrics). */
export interface ChangeInterval {
  estimate: number;
  low: number;
  high: number;
  /** The interval's exact coverage (≥ the confidence asked for). */
  coverage: number;
}

/** What the verdict needs to know about the metric. */
export interface VerdictBasis extends ChangeScale {
  worse: 'higher' | 'lower';
  /** The equivalence margin on the metric's scale. */
  margin: number;
  /** e.g. 0.95 */
  confidence: number;
}

/** Judges a change whose interval is known. */
export function verdictOf(change: ChangeInterval, basis: VerdictBasis): { verdict: Verdict; reason: string } {
  const level = `${percent(basis.confidence)} interval ${formatInterval(change.low, change.high, basis)}`;
  const margin = `±${formatChange(basis.margin, basis).replace(/^\+/, '')}`;
  if (change.low >= -basis.margin && change.high <= basis.margin) {
    return { verdict: 'no change', reason: `the ${level} lies within the equivalence margin ${margin}` };
  }
  const side = basis.worse === 'higher' ? 'higher is worse' : 'lower is worse';
  if (change.low > 0) {
    return {
      verdict: basis.worse === 'higher' ? 'worse' : 'better',
      reason: `the ${level} lies above 0 (${side})`,
    };
  }
  if (change.high < 0) {
    return {
      verdict: basis.worse === 'lower' ? 'worse' : 'better',
      reason: `the ${level} lies below 0 (${side})`,
    };
  }
  return { verdict: 'inconclusive', reason: `the ${level} includes 0 and reaches past ${margin}` };
}

/** A gate threshold's outcome: "fail" only when the one-sided bound lies beyond the threshold. */
export type GateOutcome = 'pass' | 'fail' | 'inconclusive';

/** One threshold judged against one metric's change. */
export interface GateResult {
  threshold: Threshold;
  outcome: GateOutcome;
  /** One sentence with the numbers behind the outcome. */
  reason: string;
}

/**
 * Judges `threshold` against the change's one-sided bounds (`low`: the change is at least this,
 * `high`: at most this, each at `basis.confidence` on its own; undefined when there is none, and
 * then `unavailable` says why). For a threshold towards higher (p99:+10%) it fails when the lower
 * bound lies above the limit and passes when the upper bound lies at or below it; towards lower
 * (rps:-5%) the other way round; otherwise the bounds straddle the limit: inconclusive.
 */
export function judgeThreshold(
  threshold: Threshold,
  bounds: ChangeInterval | undefined,
  basis: VerdictBasis,
  unavailable: string,
): GateResult {
  if (bounds === undefined) return { threshold, outcome: 'inconclusive', reason: unavailable };
  const expectedScale = threshold.unit === '%' ? 'relative' : 'difference';
  if (basis.scale !== expectedScale) {
    return {
      threshold,
      outcome: 'inconclusive',
      reason: `${threshold.metric} had values of 0, so it was compared as a difference in ${basis.unit}, not as a % change`,
    };
  }
  const limit = formatChange(threshold.limit, basis);
  const change = `change ${formatChange(bounds.estimate, basis)}`;
  const level = `one-sided ${percent(basis.confidence)}`;
  const bound = (which: 'lower' | 'upper') =>
    `its ${level} ${which} bound ${formatChange(which === 'lower' ? bounds.low : bounds.high, basis)}`;
  const up = threshold.limit >= 0;
  const beyond = up ? bounds.low > threshold.limit : bounds.high < threshold.limit;
  const within = up ? bounds.high <= threshold.limit : bounds.low >= threshold.limit;
  if (beyond) {
    return {
      threshold,
      outcome: 'fail',
      reason: `${change}; ${bound(up ? 'lower' : 'upper')} lies beyond the threshold ${limit}`,
    };
  }
  if (within) {
    return {
      threshold,
      outcome: 'pass',
      reason: `${change}; ${bound(up ? 'upper' : 'lower')} lies within the threshold ${limit}`,
    };
  }
  return {
    threshold,
    outcome: 'inconclusive',
    reason: `${change}; its ${level} bounds ${formatInterval(bounds.low, bounds.high, basis)} straddle the threshold ${limit}`,
  };
}

function percent(confidence: number): string {
  return `${Number((confidence * 100).toFixed(1))}%`;
}
