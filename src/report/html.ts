/**
 * The HTML report: one self-contained file that opens from disk with no network. chart.js and
 * the report's script are inlined, the charts' data is embedded as JSON with `<` escaped, and a
 * Content-Security-Policy forbids loading anything from anywhere.
 *
 *   <style>                                   reportCss
 *   <header> <section>…                      html-sections.ts (all text escaped)
 *   <script type="application/json">         reportChartData() via jsonForScript
 *   <script> chart.js UMD </script>          chartJsSource()
 *   <script> charts </script>                chartsScript
 */
import type { ResultDocument } from '../results/index.js';
import { chartJsSource } from './chartjs-source.js';
import { chartsScript } from './charts-script.js';
import { escapeHtml, jsonForScript, scriptForInline } from './escape.js';
import {
  chartsSection,
  environmentSection,
  headerSection,
  scenarioSection,
  summarySection,
} from './html-sections.js';
import { reportCss } from './html-style.js';
import { findingsOf } from '../analysis/index.js';
import { findingsSection, serviceSummarySection } from './html-findings.js';
import { shardsSection } from './html-shards.js';
import { reportChartData } from './report-data.js';

export type { ReportChartData } from './report-data.js';

/** The id of the `<script type="application/json">` element holding the charts' data. */
export const reportDataElementId = 'loadlab-data';

const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** Renders the whole report for a result document as one HTML string (about 230 KB plus the data). */
export function renderReportHtml(result: ResultDocument): string {
  const data = reportChartData(result);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${result.scenario.name} — loadlab report`)}</title>
<style>${reportCss}</style>
</head>
<body>
<main>
${headerSection(result)}
${findingsSection(findingsOf(result))}
${summarySection(result)}
${serviceSummarySection(result)}
${chartsSection(result)}
${scenarioSection(result)}
${environmentSection(result)}
${shardsSection(result)}
<footer>loadlab ${escapeHtml(result.environment.loadlabVersion)} · result schema ${escapeHtml(result.schema)}</footer>
</main>
<script type="application/json" id="${reportDataElementId}">${jsonForScript(data)}</script>
<script>${scriptForInline(chartJsSource())}</script>
<script>${scriptForInline(chartsScript)}</script>
</body>
</html>
`;
}
