/**
 * Latency histograms: HdrHistogram, microseconds, 1 µs to 60 s at 3 significant digits.
 *
 * Built on hdr-histogram-js's pure JavaScript implementation (no WebAssembly), so a histogram
 * needs no async initialisation and no `destroy()`, and behaves the same on the main thread and
 * in worker threads. Histograms travel between threads and into result.json in the compressed
 * base64 HdrHistogram encoding, and are merged by exact addition of counts.
 *
 * Counts are 64-bit floats (`bitBucketSize: 64`): exact up to 2^53 per bucket, and the library
 * throws rather than wraps beyond that. The alternatives are worse for us: 8/16/32-bit buckets
 * wrap silently on overflow (32-bit at 4.29e9 counts), and "packed" buckets, though smaller,
 * record ~5x slower and decode ~30x slower (measured on the project VM). The cost is a fixed
 * 140 KB counts array per histogram (17,408 buckets), whose encoding compresses to a few KB.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, JsHistogram } from 'hdr-histogram-js';

/** Latency percentiles in milliseconds (microsecond resolution). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
}

/** A latency histogram in microseconds, made by {@link createLatencyHistogram} or {@link decodeHistogram}. */
export type LatencyHistogram = JsHistogram;

/** The range and precision of every latency histogram (values in microseconds). */
export const latencyHistogramConfig = {
  lowestUs: 1,
  highestUs: 60_000_000,
  significantDigits: 3,
  bitBucketSize: 64,
} as const;

/** What {@link recordLatencyUs} did with a value: recorded as is, or clamped into the range. */
export type RecordOutcome = 'recorded' | 'clampedLow' | 'clampedHigh';

const { lowestUs, highestUs, significantDigits, bitBucketSize } = latencyHistogramConfig;

/** Creates an empty latency histogram (microseconds, 1 µs to 60 s, 3 significant digits, no auto-resize). */
export function createLatencyHistogram(): LatencyHistogram {
  const histogram = build({
    bitBucketSize,
    lowestDiscernibleValue: lowestUs,
    highestTrackableValue: highestUs,
    numberOfSignificantValueDigits: significantDigits,
    autoResize: false,
    useWebAssembly: false,
  });
  if (!(histogram instanceof JsHistogram)) {
    throw new Error('hdr-histogram-js returned a non-JavaScript histogram although WebAssembly was disabled');
  }
  return histogram;
}

/**
 * Records one latency in microseconds, rounded to the nearest microsecond. Values below 1 µs are
 * recorded as 1 µs and values above 60 s as 60 s; the returned outcome says so, for the caller to
 * count. Throws a RangeError for NaN, which can only come from a bug upstream.
 */
export function recordLatencyUs(histogram: LatencyHistogram, us: number): RecordOutcome {
  if (us >= lowestUs && us <= highestUs) {
    histogram.recordValue(Math.round(us));
    return 'recorded';
  }
  if (us < lowestUs) {
    histogram.recordValue(lowestUs);
    return 'clampedLow';
  }
  if (us > highestUs) {
    histogram.recordValue(highestUs);
    return 'clampedHigh';
  }
  throw new RangeError(`latency must be a number of microseconds, got ${us}`);
}

/** Encodes a histogram in the HdrHistogram V2 compressed base64 format (readable by other HdrHistogram tools). */
export function encodeHistogram(histogram: LatencyHistogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/**
 * Decodes {@link encodeHistogram}'s output. Throws an Error saying why when the text is not an
 * HdrHistogram compressed encoding, or was made with a range or precision other than loadlab's.
 */
export function decodeHistogram(encoded: string): LatencyHistogram {
  let decoded: unknown;
  try {
    decoded = decodeFromCompressedBase64(encoded, bitBucketSize, false);
  } catch (err) {
    throw new Error(`not an HdrHistogram compressed base64 encoding (${String(err)})`, { cause: err });
  }
  if (!(decoded instanceof JsHistogram)) {
    throw new Error('hdr-histogram-js decoded a non-JavaScript histogram although WebAssembly was disabled');
  }
  if (
    decoded.lowestDiscernibleValue !== lowestUs ||
    decoded.highestTrackableValue !== highestUs ||
    decoded.numberOfSignificantValueDigits !== significantDigits
  ) {
    throw new Error(
      `histogram covers ${decoded.lowestDiscernibleValue}..${decoded.highestTrackableValue} µs at ` +
        `${decoded.numberOfSignificantValueDigits} significant digits; expected ${lowestUs}..${highestUs} µs at ` +
        `${significantDigits}`,
    );
  }
  return decoded;
}

/** Adds every count of `source` to `target` (exact; `source` is left unchanged). */
export function mergeHistograms(target: LatencyHistogram, source: LatencyHistogram): void {
  target.add(source);
}

/**
 * Summarises a histogram in milliseconds with microsecond resolution (e.g. 4.231). Percentiles,
 * max and min are reported as the highest (min: lowest) value equivalent to the recorded ones at
 * 3 significant digits, as HdrHistogram does, so a histogram and its decoded copy summarise
 * identically. All fields are 0 for an empty histogram.
 */
export function summarizeLatencyMs(histogram: LatencyHistogram): LatencySummary {
  if (histogram.totalCount === 0) {
    return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, min: 0 };
  }
  const at = (percentile: number): number => histogram.getValueAtPercentile(percentile) / 1000;
  return {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: histogram.highestEquivalentValue(histogram.maxValue) / 1000,
    mean: Math.round(histogram.mean) / 1000,
    min: histogram.lowestEquivalentValue(histogram.minNonZeroValue) / 1000,
  };
}
