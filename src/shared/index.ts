/** Small pieces every module may use: errors and exit codes, durations, and where compiled entry files live. */
export {
  exitAfterClose,
  failChild,
  invalidConfigMessage,
  reportReady,
  runChildMain,
  stopOnParentOrSignal,
  type ChildEntry,
  type ChildServer,
} from './child-main.js';
export { formatDurationMs, parseDurationMs } from './duration.js';
export {
  errorCodes,
  ExitCode,
  isLoadlabError,
  LoadlabError,
  loadlabError,
  type ErrorCode,
} from './errors.js';
export { gateMetrics, parseThreshold, thresholdForm, type GateMetric, type Threshold } from './threshold.js';
export { distEntry, entries, packageRoot } from './paths.js';
export { formatCount, formatMs, formatPercent, formatRps, formatSeconds } from './number-format.js';
