/**
 * The run's latency as an HdrHistogram interval log (`latency.hlog`): one interval per second of
 * the run, in the format HdrHistogram's own tools read (HistogramLogProcessor, HdrHistogramVisualizer,
 * hdr-histogram-js's HistogramLogReader). Values are microseconds; timestamps are seconds from
 * the run's start, with the start itself given as `#[StartTime: ...]` and `#[BaseTime: ...]`.
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1763712000.000 (seconds since epoch), ...]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   0.000,1.000,4.351,HISTFAAAA...        (max in ms: µs / 1000)
 */
import { HistogramLogReader, HistogramLogWriter, JsHistogram } from 'hdr-histogram-js';
import { latencyHistogramConfig, type LatencyHistogram } from '../metrics/index.js';
import { loadlabError } from '../shared/index.js';

/** One second of the run and its latency histogram (µs). */
export interface LatencyInterval {
  /** Seconds from the run's start; the interval is [t, t+1). */
  t: number;
  histogram: LatencyHistogram;
}

/** File name of the interval log inside a run's output folder. */
export const latencyLogFileName = 'latency.hlog';

/** Formats the interval log of a run that started at `startEpochMs` (ms since the Unix epoch). */
export function formatLatencyLog(startEpochMs: number, intervals: Iterable<LatencyInterval>): string {
  let text = '';
  const writer = new HistogramLogWriter((line) => {
    text += line;
  });
  writer.outputLogFormatVersion();
  writer.outputComment('[loadlab latency, values in microseconds; Interval_Max in milliseconds]');
  // Written by hand: the library's outputStartTime adds a blank line after the comment.
  const startS = (startEpochMs / 1000).toFixed(3);
  writer.outputComment(`[StartTime: ${startS} (seconds since epoch), ${new Date(startEpochMs).toString()}]`);
  writer.outputComment(`[BaseTime: ${startS} (seconds since epoch)]`);
  writer.outputLegend();
  // In order of time, as they come: each may be a decoded copy, dropped after its line.
  for (const { t, histogram } of intervals) {
    writer.outputIntervalHistogram(histogram, t, t + 1, 1000);
  }
  return text;
}

/**
 * Reads back an interval log written by {@link formatLatencyLog}: the run's start (ms since the
 * epoch) and each second's histogram, in order. `source` names the file in errors
 * (RESULT_INVALID when it is not such a log).
 */
export function parseLatencyLog(
  text: string,
  source: string,
): { startEpochMs: number; intervals: LatencyInterval[] } {
  const intervals: LatencyInterval[] = [];
  let reader: HistogramLogReader;
  try {
    reader = new HistogramLogReader(text, latencyHistogramConfig.bitBucketSize, false);
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      if (!(h instanceof JsHistogram)) throw new Error('the log decoded to a non-JavaScript histogram');
      intervals.push({ t: Math.round(h.startTimeStampMsec / 1000 - reader.baseTimeSec), histogram: h });
    }
  } catch (err) {
    throw loadlabError(
      'RESULT_INVALID',
      `${source}: expected an HdrHistogram interval log, found one that fails to read (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  if (!(reader.baseTimeSec > 0)) {
    throw loadlabError('RESULT_INVALID', `${source}: expected a #[BaseTime: ...] line, found none`);
  }
  return { startEpochMs: Math.round(reader.baseTimeSec * 1000), intervals };
}
