import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  latencyHistogramConfig,
  mergeHistograms,
  recordLatencyUs,
  summarizeLatencyMs,
  type LatencyHistogram,
} from '../../src/metrics/index.js';

const { highestUs } = latencyHistogramConfig;

/** Latencies in whole microseconds, weighted towards realistic values but covering the whole range. */
const latencyUs = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: highestUs }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2047, 2048, 2049, 4096, highestUs) },
);
const latencies = fc.array(latencyUs, { minLength: 1, maxLength: 400 });
const percentiles = [0.1, 1, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

function histogramOf(values: readonly number[]): LatencyHistogram {
  const h = createLatencyHistogram();
  for (const v of values) recordLatencyUs(h, v);
  return h;
}

/** Every bucket's count, so two histograms can be compared exactly. */
function countsOf(h: LatencyHistogram): number[] {
  const counts: number[] = [];
  for (let i = 0; i < h.countsArrayLength; i++) counts.push(h.getCountAtIndex(i));
  return counts;
}

/** Nearest-rank percentile of a sorted array, the definition HdrHistogram follows. */
function exactPercentile(sorted: readonly number[], percentile: number): number {
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

describe('latency histogram', () => {
  it('merging the decoded encodings of parts gives exactly the histogram of all values', () => {
    fc.assert(
      fc.property(latencies, fc.array(fc.nat(), { maxLength: 5 }), (values, cutSeeds) => {
        const cuts = [...new Set(cutSeeds.map((c) => c % (values.length + 1)))].sort((a, b) => a - b);
        const bounds = [0, ...cuts, values.length];
        const merged = createLatencyHistogram();
        for (let i = 0; i + 1 < bounds.length; i++) {
          const part = histogramOf(values.slice(bounds[i], bounds[i + 1]));
          mergeHistograms(merged, decodeHistogram(encodeHistogram(part)));
        }
        const whole = histogramOf(values);
        expect(merged.totalCount).toBe(values.length);
        expect(countsOf(merged)).toEqual(countsOf(whole));
        for (const p of percentiles)
          expect(merged.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
        expect(summarizeLatencyMs(merged)).toEqual(summarizeLatencyMs(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('survives an encode/decode round trip with identical counts, summary and encoding', () => {
    fc.assert(
      fc.property(fc.array(latencyUs, { maxLength: 400 }), (values) => {
        const original = histogramOf(values);
        const encoded = encodeHistogram(original);
        const decoded = decodeHistogram(encoded);
        expect(decoded.totalCount).toBe(values.length);
        expect(countsOf(decoded)).toEqual(countsOf(original));
        expect(summarizeLatencyMs(decoded)).toEqual(summarizeLatencyMs(original));
        expect(encodeHistogram(decoded)).toBe(encoded);
      }),
      { numRuns: 150 },
    );
  });

  it('reports percentiles within 0.1% of the exact nearest-rank percentile', () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const h = histogramOf(values);
        const sorted = [...values].sort((a, b) => a - b);
        for (const p of percentiles) {
          const exact = exactPercentile(sorted, p);
          const reported = h.getValueAtPercentile(p);
          expect(reported).toBeGreaterThanOrEqual(exact);
          expect((reported - exact) / exact).toBeLessThan(0.001);
        }
        const summary = summarizeLatencyMs(h);
        const pairs: [number, number][] = [
          [summary.p50, 50],
          [summary.p90, 90],
          [summary.p99, 99],
          [summary.p999, 99.9],
          [summary.max, 100],
        ];
        for (const [ms, p] of pairs) {
          const exactMs = exactPercentile(sorted, p) / 1000;
          expect(Math.abs(ms - exactMs) / exactMs).toBeLessThan(0.001);
        }
        const exactMinMs = sorted[0]! / 1000;
        expect(Math.abs(summary.min - exactMinMs) / exactMinMs).toBeLessThan(0.001);
        const exactMeanMs = sorted.reduce((a, b) => a + b, 0) / sorted.length / 1000;
        // Each value sits in a bucket within 0.1% of it, and the mean is then reported to the whole
        // microsecond: within 0.1% plus half a microsecond.
        expect(Math.abs(summary.mean - exactMeanMs)).toBeLessThanOrEqual(0.001 * exactMeanMs + 0.0005 + 1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('summarises in milliseconds with microsecond resolution', () => {
    const h = histogramOf([4231, 4231, 4231, 1500]);
    expect(summarizeLatencyMs(h)).toEqual({
      p50: 4.231,
      p90: 4.231,
      p99: 4.231,
      p999: 4.231,
      max: 4.231,
      mean: 3.548,
      min: 1.5,
    });
  });

  it('summarises an empty histogram as zeros', () => {
    expect(summarizeLatencyMs(createLatencyHistogram())).toEqual({
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
      min: 0,
    });
  });

  it.each([
    { us: 0, outcome: 'clampedLow', recordedAs: 1 },
    { us: -5, outcome: 'clampedLow', recordedAs: 1 },
    { us: 0.4, outcome: 'clampedLow', recordedAs: 1 },
    { us: 1, outcome: 'recorded', recordedAs: 1 },
    { us: 1234.6, outcome: 'recorded', recordedAs: 1235 },
    { us: highestUs, outcome: 'recorded', recordedAs: highestUs },
    { us: highestUs + 1, outcome: 'clampedHigh', recordedAs: highestUs },
    { us: 3_600_000_000, outcome: 'clampedHigh', recordedAs: highestUs },
    { us: Infinity, outcome: 'clampedHigh', recordedAs: highestUs },
  ])('records $us µs as $recordedAs µs and says $outcome', ({ us, outcome, recordedAs }) => {
    const h = createLatencyHistogram();
    expect(recordLatencyUs(h, us)).toBe(outcome);
    expect(h.totalCount).toBe(1);
    expect(h.getValueAtPercentile(50)).toBe(h.highestEquivalentValue(recordedAs));
    expect(h.getValueAtPercentile(0)).toBe(h.lowestEquivalentValue(recordedAs));
  });

  it('refuses NaN rather than recording garbage', () => {
    const h = createLatencyHistogram();
    expect(() => recordLatencyUs(h, Number.NaN)).toThrow(RangeError);
    expect(h.totalCount).toBe(0);
  });

  it.each([
    { name: 'an empty string', encoded: '' },
    { name: 'text that is not base64', encoded: 'not base64!' },
    { name: 'base64 that is not a histogram', encoded: Buffer.from('hello world!').toString('base64') },
  ])('refuses to decode $name', ({ encoded }) => {
    expect(() => decodeHistogram(encoded)).toThrow(/not an HdrHistogram compressed base64 encoding/);
  });

  it('refuses to decode a histogram made with another range', async () => {
    const { build, encodeIntoCompressedBase64 } = await import('hdr-histogram-js');
    const foreign = build({
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 2,
      autoResize: false,
    });
    foreign.recordValue(5);
    expect(() => decodeHistogram(encodeIntoCompressedBase64(foreign))).toThrow(
      /expected 1\.\.60000000 µs at 3/,
    );
  });
});
