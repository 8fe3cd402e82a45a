export {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  latencyHistogramConfig,
  mergeHistograms,
  recordLatencyUs,
  summarizeLatencyMs,
} from './histogram.js';
export type { LatencyHistogram, LatencySummary, RecordOutcome } from './histogram.js';
export { CompactHistogram } from './compact-histogram.js';
