/**
 * The limits behind `summary.generator.verdict` (the generator's check on itself), in one place
 * so the check that sets the verdict and the findings that explain it state the same figures.
 * docs/measurement-edges.md explains each.
 */
export const generatorLimits = {
  /** A second whose event-loop utilisation (max over workers, 0..1) is over this was a saturated second. */
  eluSaturated: 0.9,
  /** Saturated seconds must make up at least this share of the seconds sampled (and be at least one). */
  eluSaturatedSecondsShare: 0.1,
  /** Requests due, not dropped, and still sent must be at least this share of those planned (0..1). */
  sentShareMin: 0.99,
  /** Scheduling lag p99 at or under this, ms, never counts: the timers' own granularity. */
  lagFloorMs: 1,
  /** Scheduling lag p99 over this share of the latency p99 (0..1) visibly inflates the tail measured. */
  lagShareOfLatencyMax: 0.2,
  /** Scheduling lag p50 over this, ms: the typical request went out late, not only a few. */
  lagP50MaxMs: 1,
  /** Flows: time in module step functions over this share of the load threads' time (0..1) saturates them. */
  moduleShareMax: 0.5,
} as const;
