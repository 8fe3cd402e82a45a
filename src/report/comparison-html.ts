/**
 * The HTML report of a comparison (`loadlab compare --html FILE`, `comparison.html` of
 * `loadlab ab`): one self-contained page that opens from disk with no network.
 *
 *   <header>    scenario, A vs B, the verdict headline, the gate outcome
 *   verdicts    per metric: A and B medians, the change with its interval, the verdict, p, n;
 *               then each gate threshold with its outcome, and the method
 *   sides       what A and B each are, their runs and medians         comparison-sides.ts
 *   charts      per-second p99 and p50 of both on one time axis · spectra overlaid
 *                                                                      comparison-script.ts
 */
import type { Comparison, MetricComparison } from '../analysis/index.js';
import {
  changeHeader,
  comparisonRows,
  marginNote,
  methodTexts,
  sideHeader,
  sidesNote,
  verdictHeadline,
} from './compare-rows.js';
import { comparisonChartData } from './comparison-data.js';
import type { ComparisonReportInput } from './comparison-input.js';
import { comparisonScript } from './comparison-script.js';
import { sidesSection } from './comparison-sides.js';
import { escapeHtml } from './escape.js';
import { htmlPage } from './html-page.js';

/** The id of the `<script type="application/json">` element holding the comparison charts' data. */
export const comparisonDataElementId = 'loadlab-comparison-data';

const comparisonCss = `
.cards.two { grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
.side h3 { font-size: 18px; color: var(--text); text-transform: none; letter-spacing: 0; }
.side ul { margin: 4px 0 8px; padding-left: 20px; }
.side .sub { margin: 10px 0 0; color: var(--muted); }
.side td.text { text-align: left; }
.wide { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; overflow-x: auto; }
.wide th, .wide td { padding: 4px 10px; }
.wide thead th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); }
.wide td.name, .wide td.reason { text-align: left; }
.wide td.reason { color: var(--muted); font-size: 12px; min-width: 24ch; }
.wide td.num, .wide td[class^="v-"], .wide td[class^="g-"] { white-space: nowrap; }
.gates-title { margin: 20px 0 8px; }
.v-worse, .g-fail { color: var(--bad); font-weight: 700; }
.v-better, .g-pass { color: var(--ok); font-weight: 700; }
.v-no-change { color: var(--ok); }
.v-inconclusive, .g-inconclusive { color: var(--warn); font-weight: 600; }
.method { margin: 8px 0 0; max-width: 110ch; }
.verdict.fail { border-color: #fecaca; background: var(--bad-bg); }
.verdict.pass { border-color: #bbf7d0; background: var(--ok-bg); }
.verdict.inconclusive { border-color: #fde68a; background: var(--warn-bg); }
.chart-box.tall { height: 400px; }
.legend-note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
`;

function slug(text: string): string {
  return text.replace(/[^a-z]+/gi, '-').toLowerCase();
}

function headerOf(input: ComparisonReportInput): string {
  const c = input.comparison;
  const mode =
    input.mode === undefined
      ? ''
      : input.mode === 'duet'
        ? ' · duet: both at once, paired per repeat'
        : ' · interleaved: one after the other, unpaired';
  const gate =
    c.gate === undefined
      ? ''
      : `<p class="gate-line"><b>Gate: <span class="g-${c.gate}">${escapeHtml(c.gate)}</span></b> (${c.gates.length} threshold${c.gates.length === 1 ? '' : 's'})</p>`;
  const headline = verdictHeadline(c) || 'no metrics';
  return `<header>
<h1>${escapeHtml(`${c.scenario}: ${c.b.label} against ${c.a.label}`)}</h1>
<p class="meta">${escapeHtml(`${c.a.label}: ${c.a.runs} run${c.a.runs === 1 ? '' : 's'} · ${c.b.label}: ${c.b.runs} run${c.b.runs === 1 ? '' : 's'}${mode}`)}</p>
<div class="verdict${c.gate === undefined ? '' : ` ${c.gate}`}"><strong>${escapeHtml(headline)}</strong>${gate}</div>
</header>`;
}

function nOf(c: Comparison, m: MetricComparison): string {
  return c.design === 'paired' ? `${Math.min(m.a.n, m.b.n)} pairs` : `${m.a.n} vs ${m.b.n}`;
}

function pOf(m: MetricComparison): string {
  if (m.pValue === undefined) return '';
  return `${Number(m.pValue.toPrecision(2))} (${m.pMethod ?? ''})`;
}

function verdictSection(input: ComparisonReportInput): string {
  const c = input.comparison;
  const rows = comparisonRows(c);
  const head = ['metric', sideHeader(c, 'a'), sideHeader(c, 'b'), changeHeader(c), 'verdict', 'p', 'n', 'why']
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('');
  const body = c.metrics
    .map((m, i) => {
      const r = rows[i]!;
      return `<tr><td class="name">${escapeHtml(r.metric)}</td><td class="num">${escapeHtml(r.a)}</td><td class="num">${escapeHtml(r.b)}</td><td class="num">${escapeHtml(r.change)}</td><td class="v-${slug(m.verdict)}">${escapeHtml(m.verdict)}</td><td class="num">${escapeHtml(pOf(m))}</td><td class="num">${escapeHtml(nOf(c, m))}</td><td class="reason">${escapeHtml(m.reason)}</td></tr>`;
    })
    .join('');
  const gates =
    c.gates.length === 0
      ? ''
      : `<h3 class="gates-title">Gate thresholds</h3><div class="wide"><table id="gate-table"><thead><tr><th>threshold</th><th>outcome</th><th>why</th></tr></thead><tbody>${c.gates
          .map(
            (g) =>
              `<tr><td class="name">${escapeHtml(g.threshold.text)}</td><td class="g-${g.outcome}">${escapeHtml(g.outcome)}</td><td class="reason">${escapeHtml(g.reason)}</td></tr>`,
          )
          .join('')}</tbody></table></div>`;
  const methods = methodTexts(c);
  const gateMethod =
    methods.gates === undefined
      ? ''
      : `<p class="method"><b>Gate method.</b> ${escapeHtml(methods.gates)}.</p>`;
  const notes = (input.notes ?? []).map((n) => `<p class="method">${escapeHtml(n)}</p>`).join('');
  return `<section><h2>Verdicts</h2>
<div class="wide"><table id="verdict-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>
<p class="method"><b>Method.</b> ${escapeHtml(methods.verdicts)}; confidence ${escapeHtml(String(c.confidence * 100))}%. ${escapeHtml(sidesNote(c) ?? '')} ${escapeHtml(marginNote(c))}</p>
${gates}${gateMethod}${notes}
</section>`;
}

function panel(id: string, title: string, label: string, control: string, note: string): string {
  return `<div class="chart-panel"><div class="chart-head"><h3>${escapeHtml(title)}</h3>${control}</div><div class="chart-box tall"><canvas id="${id}" aria-label="${escapeHtml(label)}"></canvas></div><p class="legend-note">${escapeHtml(note)}</p></div>`;
}

function chartsSection(input: ComparisonReportInput): string {
  const c = input.comparison;
  const many = c.a.runs > 1 || c.b.runs > 1;
  const timeNote = many
    ? 'Thick lines: the median over a side’s runs of each second’s p99 (solid) and p50 (dashed); faint lines: each run’s p99. Runs are aligned on their own start.'
    : 'Each side’s p99 (solid) and p50 (dashed), second by second.';
  return `<section><h2>Latency over time</h2>
${panel('latency-time-chart', `p99 and p50 per second, ${c.a.label} and ${c.b.label}`, 'Latency p99 and p50 of both sides per second since the load started', '<label><input type="checkbox" id="latency-time-log"> log scale</label>', timeNote)}
</section>
<section><h2>Percentile spectra</h2>
${panel('spectrum-chart', 'Latency by percentile, each side’s runs added', 'Latency at each percentile from p0 to p99.99 of both sides, log scale', '', 'Each side’s runs’ latency histograms added into one, then read at each percentile; the x axis is 1 / (1 − q), so p90, p99, p99.9 and p99.99 are evenly spaced.')}
</section>`;
}

/** Renders the comparison report as one HTML string. */
export function renderComparisonHtml(input: ComparisonReportInput): string {
  const c = input.comparison;
  const body = [
    headerOf(input),
    verdictSection(input),
    sidesSection(c, input.a, input.b),
    chartsSection(input),
    `<footer>loadlab comparison · ${escapeHtml(c.schema)}</footer>`,
  ].join('\n');
  return htmlPage({
    title: `${c.scenario}: ${c.b.label} against ${c.a.label} — loadlab comparison`,
    css: comparisonCss,
    body,
    dataElementId: comparisonDataElementId,
    data: comparisonChartData(
      { label: c.a.label, results: input.a.results },
      { label: c.b.label, results: input.b.results },
    ),
    script: comparisonScript,
  });
}
