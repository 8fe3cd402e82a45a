/**
 * The simulated database's contention model (`dependencies.db.contention`), after Gunther's
 * Universal Scalability Law (USL). A real database slows down when more queries are open in it
 * than it has cores: they contend for locks and run queues (σ) and pay to keep shared state
 * coherent (κ). The simulation serves `capacity` queries at once and queues the rest; with N
 * queries open (served and queued, the starting one included), a query that starts is served
 * in its drawn latency times
 *
 *   stretch(N) = 1 + σ·e + κ·e²,   e = max(0, N − capacity)
 *
 *   N ≤ capacity ─────▶ stretch 1: the drawn latency, as without the model
 *   N = capacity + e ─▶ stretch 1 + σe + κe²: every query beyond capacity slows those that start
 *
 * The factor is fixed when the query starts (it does not change while it is served), so a run is
 * as deterministic as its latency draws. The database then serves at most
 * capacity / (mean latency × stretch(N)) queries a second, less the more are open: the USL's
 * retrograde region, where admitting more work lowers throughput. Like the USL's denominator
 * 1 + σ(N − 1) + κN(N − 1), the stretch is linear in σ and quadratic in κ, but it counts only the
 * queries beyond capacity, so up to capacity the model changes nothing.
 */
import type { ContentionSpec } from './db-spec.js';

/**
 * The factor (≥ 1) a query's drawn latency is multiplied by when it starts with `open` queries
 * in the database (itself included); 1 without a contention spec or with `open` ≤ `capacity`.
 */
export function contentionStretch(
  contention: ContentionSpec | undefined,
  capacity: number,
  open: number,
): number {
  if (contention === undefined) return 1;
  const beyond = open > capacity ? open - capacity : 0;
  return 1 + contention.sigma * beyond + contention.kappa * beyond * beyond;
}
