export { renderReportHtml, reportDataElementId } from './html.js';
export type { ReportChartData } from './html.js';
export { formatSummary } from './terminal.js';
export type { SummaryFormatOptions } from './terminal.js';
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
  poolBottleneck,
  poolCorrelationMin,
  poolRiseMin,
  type FindingRule,
} from './findings-rules.js';
