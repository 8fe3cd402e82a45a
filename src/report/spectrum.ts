/**
 * The percentile spectrum of the run's total latency histogram, HDR-style: latency against
 * 1 / (1 − q), so p0, p90, p99, p99.9 and p99.99 are evenly spaced on a log axis (1, 10, 100,
 * 1000, 10000). Computed when the report is built, from the encoded histogram in the result.
 */
import { decodeHistogram, type LatencyHistogram } from '../metrics/index.js';

/** One point: the percentile (0..100), its x position 1 / (1 − q), and the latency there (ms). */
export interface SpectrumPoint {
  percentile: number;
  x: number;
  ms: number;
}

/** Points per decade of 1 / (1 − q), and the highest decade (10^4: p99.99). */
const perDecade = 8;
const decades = 4;

/** The spectrum from p0 to p99.99; empty for an empty or undecodable histogram. */
export function percentileSpectrum(encodedHistogram: string): SpectrumPoint[] {
  let histogram;
  try {
    histogram = decodeHistogram(encodedHistogram);
  } catch {
    // The reader already vetted the histogram; a report of an unreadable one just has no spectrum.
    return [];
  }
  return histogramSpectrum(histogram);
}

/** The spectrum of a decoded histogram (several runs' histograms added, for a comparison). */
export function histogramSpectrum(histogram: LatencyHistogram): SpectrumPoint[] {
  if (histogram.totalCount === 0) return [];
  const points: SpectrumPoint[] = [];
  for (let i = 0; i <= perDecade * decades; i++) {
    const x = 10 ** (i / perDecade);
    const percentile = (1 - 1 / x) * 100;
    points.push({
      percentile: Math.round(percentile * 10_000) / 10_000,
      x: Math.round(x * 1000) / 1000,
      ms: histogram.getValueAtPercentile(percentile) / 1000,
    });
  }
  return points;
}
