/**
 * The knee of a latency-versus-throughput curve, by the Kneedle method (Satopää, Albrecht, Irwin
 * and Raghavan, "Finding a 'Kneedle' in a Haystack", ICDCS workshops 2011): normalise both axes
 * to [0, 1], then take the point farthest below the chord from the first point to the last. On
 * a curve where latency stays flat and then climbs, that is where the climb begins.
 */

/** One point of the curve: achieved throughput (requests/s) and a latency figure (ms). */
export interface CurvePoint {
  rps: number;
  latencyMs: number;
}

/** The knee: the point, and how far below the chord it lies (0..1 of the normalised axes). */
export interface Knee {
  point: CurvePoint;
  index: number;
  /** Normalised distance below the chord; near 0 means the curve has no clear knee. */
  strength: number;
}

/**
 * The knee of `points` (any order; sorted by throughput here), or undefined with fewer than 3
 * points or a curve that never rises above its chord's start (flat or falling latency).
 */
export function kneeOf(points: readonly CurvePoint[]): Knee | undefined {
  if (points.length < 3) return undefined;
  const sorted = points.map((point, index) => ({ point, index })).sort((a, b) => a.point.rps - b.point.rps);
  const first = sorted[0]?.point as CurvePoint;
  const last = sorted[sorted.length - 1]?.point as CurvePoint;
  const xSpan = last.rps - first.rps;
  const ys = sorted.map((s) => s.point.latencyMs);
  const yMin = Math.min(...ys);
  const ySpan = Math.max(...ys) - yMin;
  if (xSpan <= 0 || ySpan <= 0 || last.latencyMs <= first.latencyMs) return undefined;
  let best: Knee | undefined;
  for (const s of sorted) {
    const x = (s.point.rps - first.rps) / xSpan;
    const y = (s.point.latencyMs - yMin) / ySpan;
    const chordY = (first.latencyMs - yMin) / ySpan + x * ((last.latencyMs - first.latencyMs) / ySpan);
    const below = chordY - y;
    if (best === undefined || below > best.strength)
      best = { point: s.point, index: s.index, strength: below };
  }
  return best !== undefined && best.strength > 1e-9 ? best : undefined;
}
