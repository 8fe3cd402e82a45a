/**
 * The `recommendations.breaker` knobs as a cockatiel SamplingBreaker. The knobs keep their
 * meaning: the breaker opens when, over the last `windowMs`, at least `minRequests` calls ended
 * and at least `failureRatio` of them failed. SamplingBreaker counts "failures > threshold x
 * total" and "total >= duration x minimumRps", and refuses a threshold of 1; the mapping below
 * turns those into the knobs' ">=" and accepts a ratio of 1 (open only when every call failed).
 */
import { SamplingBreaker } from 'cockatiel';

export interface SamplingBreakerKnobs {
  /** Share of failed calls (0..1] that opens the breaker. */
  failureRatio: number;
  /** Calls needed in the window before the ratio counts. */
  minRequests: number;
  /** Width of the sampling window in ms. */
  windowMs: number;
}

// Far below any ratio a count of calls can tell apart, far above float rounding.
const epsilon = 1e-9;

/** Builds the SamplingBreaker for {@link SamplingBreakerKnobs}. */
export function createSamplingBreaker(knobs: SamplingBreakerKnobs): SamplingBreaker {
  const { failureRatio, minRequests, windowMs } = knobs;
  // SamplingBreaker splits the window into max(5, ceil(s)) buckets of a rounded width; minimumRps
  // is worked out against the window it actually keeps, and half a call under minRequests, so
  // that rounding can neither admit minRequests - 1 calls nor refuse minRequests.
  const buckets = Math.max(5, Math.ceil(windowMs / 1000));
  const keptMs = Math.round(windowMs / buckets) * buckets;
  return new SamplingBreaker({
    threshold: failureRatio * (1 - epsilon),
    duration: windowMs,
    minimumRps: ((minRequests - 0.5) * 1000) / keptMs,
  });
}
