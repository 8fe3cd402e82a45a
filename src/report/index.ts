export { renderReportHtml, reportDataElementId } from './html.js';
export type { ReportChartData } from './html.js';
export { formatSummary } from './terminal.js';
export type { SummaryFormatOptions } from './terminal.js';
