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
export {
  checkDuration,
  durationExpected,
  formatDurationMs,
  maxTimerMs,
  parseDurationMs,
  type DurationCheck,
} from './duration.js';
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
export {
  BodyReader,
  bodyKind,
  FramingError,
  HeadReader,
  maxHeadBytes,
  parseHead,
  type BodyKind,
  type FramingErrorCode,
  type MessageHead,
  type MessageSide,
} from './http1/index.js';
