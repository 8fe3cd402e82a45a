/**
 * Pure analysis of result documents: SLO checks and findings. Data in, verdicts out; "not enough
 * data" is a verdict of its own, never a pass. The lab measures; this module judges.
 */
export { analyseRun } from './analyse-run.js';
export { analyseResult, findingsForReading, findingsOf } from './findings.js';
export {
  eventLoopDelay,
  eventLoopDelayLimitMs,
  faultLatency,
  faultRiseMin,
  findingRules,
  gcPauseLimitMs,
  gcPauses,
  generatorEluLimit,
  generatorSaturated,
  busyHost,
  poolBottleneck,
  poolCorrelationMin,
  poolRiseMin,
  type FindingRule,
} from './findings-rules.js';
export { allHeld, checkSlo, errorRate, notEnoughData, transportErrorKinds, transportErrors } from './slo.js';
export { kneeOf, type CurvePoint, type Knee } from './knee.js';
