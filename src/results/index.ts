export { readResult, parseResult } from './reader.js';
export { findRunFiles, readRunFiles, type RunFiles } from './run-set.js';
export { outputFileNames, writeFileAtomically, writeRunOutput } from './writer.js';
export { formatLatencyLog, latencyLogFileName, type LatencyInterval } from './hlog.js';
export type { RunOutput, RunOutputPaths } from './writer.js';
export { resultSchemaId } from './types.js';
export type {
  Environment,
  ErrorCounts,
  FaultRecord,
  GeneratorCheck,
  Finding,
  TelemetryInfo,
  LatencySummary,
  PhaseRecord,
  ResultDocument,
  SeriesPoint,
  SloCheck,
  Summary,
} from './types.js';
