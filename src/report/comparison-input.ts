/**
 * What the HTML report of a comparison (`loadlab compare --html`, `loadlab ab`) draws: the
 * comparison document and, for each side, the runs behind it.
 */
import type { Comparison } from '../analysis/index.js';
import type { ResultDocument } from '../results/index.js';

/** One side of the comparison: its runs, in the comparison's order, and what it is. */
export interface ComparisonReportSide {
  results: ResultDocument[];
  /** What this side is, in words (e.g. `ab`'s overrides `service.db.pool.max=5`, a target URL). */
  description?: string[];
  /** Each run's own report, relative to the comparison page; same order as `results`, undefined where there is none. */
  reportHrefs?: (string | undefined)[];
}

export interface ComparisonReportInput {
  comparison: Comparison;
  a: ComparisonReportSide;
  b: ComparisonReportSide;
  /** How `ab` took the runs: both at once (duet) or one after the other (interleaved); absent for `compare`. */
  mode?: 'duet' | 'interleaved';
  /** More lines on how the runs were taken, e.g. how A and B shared the machine. */
  notes?: string[];
}
