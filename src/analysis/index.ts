/**
 * Pure analysis of result documents: SLO checks, findings, and comparisons of runs with their
 * statistics (Hodges–Lehmann shifts, exact rank-test intervals, verdicts, gate thresholds). Data
 * in, verdicts out; "not enough data" is a verdict of its own, never a pass. The lab measures;
 * this module judges.
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
export {
  defaultAbortGraceS,
  judgeAbortSecond,
  startAbortWatch,
  type AbortSecond,
  type AbortWatch,
} from './slo-abort.js';
export {
  checkWindow,
  defaultRecoveryMargin,
  judgeSlos,
  recoveryTime,
  retryAmplification,
  scopeOf,
  windowErrorRate,
} from './slo-scoped.js';
export { allHeld, checkSlo, errorRate, notEnoughData, transportErrorKinds, transportErrors } from './slo.js';
export { kneeOf, type CurvePoint, type Knee } from './knee.js';
export {
  capacityDocument,
  capacitySchemaId,
  kneeMethod,
  type CapacityDocument,
  type CapacitySettings,
  type CapacityVerdict,
} from './capacity-document.js';
export {
  capacityRanking,
  capacityRankingSchemaId,
  type CapacityRankingDocument,
  type CapacityRankingInput,
  type CapacityRankingOutcome,
  type CapacityRankingRow,
} from './capacity-ranking.js';
export {
  judgeCapacityStep,
  steadyPhaseName,
  type CapacityOutcome,
  type CapacityPoint,
  type CapacityStep,
} from './capacity-step.js';
export {
  comparabilityProblems,
  compareRunSets,
  comparisonSchemaId,
  minimumRuns,
  type Comparison,
  type CompareOptions,
  type MetricComparison,
  type RunSet,
  type SideFigures,
} from './compare.js';
export { formatChange, formatInterval, type ChangeScale } from './compare-format.js';
export { latencyMinimumRuns, latencyResamples, type LatencyFigures } from './compare-latency.js';
export { latencyCountsOf } from './latency-counts.js';
export { resultInSeconds, secondsOfPhases } from './compare-window.js';
export {
  bootstrapBounds,
  runQuantileChanges,
  type LatencyCounts,
  type RunQuantileChange,
} from './stats-run-bootstrap.js';
export { poissonDraw } from './stats-poisson.js';
export { studentTCdf, studentTQuantile } from './stats-student-t.js';
export {
  errorRateMarginPp,
  metricDefinition,
  metricDefinitions,
  relativeMargin,
  type MetricDefinition,
  type MetricId,
} from './compare-metrics.js';
export {
  judgeThreshold,
  verdictOf,
  type ChangeInterval,
  type GateOutcome,
  type GateResult,
  type Verdict,
  type VerdictBasis,
} from './compare-verdict.js';
export { erfc, normalCdf, normalQuantile } from './stats-normal.js';
export {
  exactRankSumLimit,
  mannWhitney,
  midRanks,
  rankSumCdf,
  rankSumCut,
  rankSumNull,
  type RankTest,
} from './stats-rank-sum.js';
export { exactSignedRankLimit, signedRank, signedRankCut, signedRankNull } from './stats-signed-rank.js';
export {
  pairedShift,
  twoSampleShift,
  type Alternative,
  type ShiftEstimate,
  type ShiftOptions,
} from './stats-hodges-lehmann.js';
export { repeatsSchemaId, summariseRepeats, type RepeatFigure, type RepeatsDocument } from './repeats.js';
export { goodput } from './sweep-variant.js';
export {
  rankValue,
  sweepDocument,
  sweepSchemaId,
  type RepeatRange,
  type SweepDocument,
  type SweepDocumentInput,
  type SweepVariant,
  type SweepVariantRuns,
} from './sweep.js';
export {
  decideWinner,
  paretoFront,
  rankFigures,
  type Candidate,
  type CandidateComparison,
  type ParetoPoint,
  type RankBy,
  type WinnerDecision,
} from './sweep-winner.js';
export { failOverSilence, silentSeconds } from './silent-seconds.js';
