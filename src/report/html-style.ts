/** The report's stylesheet: light theme, system fonts, readable from a laptop screen to 1200 px and up. */
export const reportCss = `
:root {
  --text: #0f172a; --muted: #64748b; --line: #e2e8f0; --panel: #ffffff; --page: #f8fafc;
  --ok: #15803d; --ok-bg: #f0fdf4; --bad: #b91c1c; --bad-bg: #fef2f2; --warn: #a16207; --warn-bg: #fefce8;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--page); color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 32px 0 12px; }
h3 { font-size: 13px; margin: 0 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.description { margin: 0 0 6px; max-width: 80ch; }
.meta { color: var(--muted); margin: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: var(--warn-bg); color: var(--warn); border: 1px solid #fde68a; vertical-align: middle; }
.verdict { margin: 16px 0 0; padding: 12px 16px; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); }
.verdict.held { border-color: #bbf7d0; background: var(--ok-bg); }
.verdict.missed { border-color: #fecaca; background: var(--bad-bg); }
.verdict strong { font-size: 16px; }
.verdict ul { margin: 6px 0 0; padding: 0; list-style: none; }
.verdict li.held::before { content: "\\2714  "; color: var(--ok); }
.verdict li.missed::before { content: "\\2718  "; color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; }
.card, .chart-panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 3px 0; border-bottom: 1px solid var(--line); }
tr:last-child th, tr:last-child td { border-bottom: 0; }
th { text-align: left; font-weight: 400; color: var(--muted); }
td { text-align: right; font-variant-numeric: tabular-nums; }
td.text { text-align: left; padding-left: 12px; overflow-wrap: anywhere; }
.bad { color: var(--bad); font-weight: 600; }
.chart-panel { margin-bottom: 16px; }
.chart-head { display: flex; justify-content: space-between; align-items: baseline; }
.chart-box { position: relative; height: 300px; }
.chart-head label { color: var(--muted); font-size: 13px; }
.empty { color: var(--muted); }
pre { margin: 0; padding: 14px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  overflow: auto; max-height: 480px; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.findings { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.finding { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.finding.found { border-left-color: var(--bad); }
.finding.clear { border-left-color: var(--ok); }
.finding.not-enough-data { border-left-color: var(--muted); color: var(--muted); }
.finding-verdict { display: inline-block; min-width: 9em; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.finding.found .finding-verdict { color: var(--bad); }
.finding.clear .finding-verdict { color: var(--ok); }
.finding-rule { color: var(--muted); font-size: 12px; margin-top: 2px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media (max-width: 700px) { main { padding: 16px 12px 32px; } .chart-box { height: 240px; } }
`;
