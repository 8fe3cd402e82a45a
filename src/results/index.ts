export { readResult, parseResult } from './reader.js';
export {
  checkOutputFolder,
  ensureFolder,
  outputFileNames,
  writeFileAtomically,
  writeRunOutput,
} from './writer.js';
export { findRunFiles, readRunFiles, type RunFiles } from './run-set.js';
export { formatLatencyLog, latencyLogFileName, parseLatencyLog, type LatencyInterval } from './hlog.js';
export type { RunOutput, RunOutputPaths } from './writer.js';
export { noResponseKinds, resultSchemaId } from './types.js';
export { generatorLimits } from './generator-limits.js';
export type {
  Environment,
  ConnectionsRecord,
  StepTimesMs,
  ErrorCounts,
  FaultRecord,
  GeneratorCheck,
  GeneratorVerdict,
  Finding,
  MergedShard,
  MergeRecord,
  ShardRecord,
  ShardStepHistograms,
  TelemetryInfo,
  LatencySummary,
  PhaseRecord,
  RecoveryRecord,
  ResultDocument,
  RunFailure,
  SeriesPoint,
  SloCheck,
  Summary,
  WindowFigures,
  StepRecord,
  StepCheckRecord,
  JourneyRecord,
} from './types.js';
