export { renderReportHtml, reportDataElementId } from './html.js';
export type { ReportChartData } from './html.js';
export { formatSummary } from './terminal.js';
export type { SummaryFormatOptions } from './terminal.js';
export { formatComparison } from './compare-terminal.js';
export { renderJunit, type JunitCase, type JunitOutcome, type JunitSuite } from './junit.js';
export { comparisonSuite, runSuite } from './junit-outputs.js';
export { comparisonMarkdown, runMarkdown } from './markdown.js';
export { renderOverlayReportHtml, overlayDataElementId } from './overlay-html.js';
export { renderComparisonHtml, comparisonDataElementId } from './comparison-html.js';
export type { ComparisonReportInput, ComparisonReportSide } from './comparison-input.js';
export { formatRepeats } from './repeats-terminal.js';
export type {
  OverlayPoint,
  OverlayReportInput,
  OverlaySpectrumPoint,
  OverlayTableRow,
  OverlayVariant,
} from './overlay-input.js';
export { capacityMarkdown, capacitySuite, formatCapacity } from './capacity-outputs.js';
export { capacityOverlayInput } from './capacity-overlay.js';
export { sweepCells, sweepColumns, sweepOverlayInput } from './sweep-overlay.js';
export { formatSweep, sweepMarkdown, sweepSuite } from './sweep-outputs.js';
