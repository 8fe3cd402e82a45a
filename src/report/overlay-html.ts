/**
 * The overlay report of a sweep or a capacity search: one self-contained page that opens from
 * disk with no network, like the run report.
 *
 *   <header>   title, kind, start, the headline and the method
 *   table      the winner table (rank, variant, input.columns…, verdict)
 *   charts     latency against throughput of every variant (Pareto front, knees; a click on a
 *              run opens its report) · percentile spectra overlaid          overlay-script.ts
 *   failed     the variants that could not be measured, and why
 *   runs       every run's report as a plain link (for readers without JavaScript)
 */
import { escapeHtml } from './escape.js';
import { formatMs, formatPercent, formatRps } from './format.js';
import { htmlPage, hrefOfPath } from './html-page.js';
import { overlayChartData } from './overlay-data.js';
import type { OverlayReportInput, OverlayTableRow } from './overlay-input.js';
import { overlayScript } from './overlay-script.js';

/** The id of the `<script type="application/json">` element holding the overlay charts' data. */
export const overlayDataElementId = 'loadlab-overlay-data';

const overlayCss = `
.method { margin: 10px 0 0; max-width: 100ch; color: var(--text); }
.wide { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; overflow-x: auto; }
.wide th, .wide td { padding: 4px 10px; white-space: nowrap; }
.wide thead th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); }
.wide td.name { text-align: left; }
.v-winner { color: var(--ok); font-weight: 700; }
.v-holds { color: var(--ok); }
.v-misses, .v-failed { color: var(--bad); font-weight: 600; }
.v-tie { color: var(--warn); font-weight: 600; }
.v-inconclusive { color: var(--muted); }
.pareto-mark { color: var(--muted); font-size: 12px; }
.chart-box.tall { height: 440px; }
.legend-note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.runs ul { margin: 4px 0 12px; }
`;

const hiddenColumns = new Set(['variant', 'rank', 'verdict']);

function panel(id: string, title: string, label: string, control: string, tall: boolean): string {
  return `<div class="chart-panel"><div class="chart-head"><h3>${escapeHtml(title)}</h3>${control}</div><div class="chart-box${tall ? ' tall' : ''}"><canvas id="${id}" aria-label="${escapeHtml(label)}"></canvas></div>`;
}

function headerOf(input: OverlayReportInput): string {
  const failed = input.variants.filter((v) => v.failed !== undefined).length;
  const kind = input.kind === 'sweep' ? 'Sweep' : 'Capacity search';
  const count = `${input.variants.length} variant${input.variants.length === 1 ? '' : 's'}${failed > 0 ? ` (${failed} failed)` : ''}`;
  return `<header>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">${escapeHtml(`${kind} · started ${input.startedAt} · ${count}`)}</p>
<div class="verdict"><strong>${escapeHtml(input.headline)}</strong></div>
<p class="method"><b>Method.</b> ${escapeHtml(input.method)}</p>
</header>`;
}

function tableOf(input: OverlayReportInput): string {
  if (input.table.length === 0) return '';
  const columns = input.columns.filter((c) => !hiddenColumns.has(c.key));
  const pareto = new Set(input.pareto ?? []);
  const head = ['rank', 'variant', ...columns.map((c) => c.heading), 'verdict']
    .map((h, i) => `<th${i === 1 ? '' : ' style="text-align:right"'}>${escapeHtml(h)}</th>`)
    .join('');
  const row = (r: OverlayTableRow): string => {
    const mark = pareto.has(r.variant) ? ' <span class="pareto-mark">◆ Pareto front</span>' : '';
    const cells = columns.map((c) => `<td>${escapeHtml(r.cells[c.key] ?? '')}</td>`).join('');
    return `<tr><td>${r.rank === undefined ? '' : escapeHtml(String(r.rank))}</td><td class="name">${escapeHtml(r.variant)}${mark}</td>${cells}<td class="v-${r.verdict}">${escapeHtml(r.verdict)}</td></tr>`;
  };
  return `<section><h2>${input.kind === 'sweep' ? 'Variants, best first' : 'Result'}</h2>
<div class="wide"><table id="winner-table"><thead><tr>${head}</tr></thead><tbody>${input.table.map(row).join('')}</tbody></table></div>
</section>`;
}

function chartsOf(input: OverlayReportInput): string {
  const measured = input.variants.some((v) => v.points.length > 0);
  if (!measured)
    return '<section><h2>Latency against throughput</h2><p class="empty">No variant was measured.</p></section>';
  const note =
    'Solid marks: p99; hollow marks on dashed lines: p50. A diamond is a run that missed its SLO, a cross one the generator limited.' +
    ((input.pareto ?? []).length > 0
      ? ' The dashed black line is the Pareto front (no variant both faster and with a lower p99).'
      : '') +
    ((input.knees ?? []).length > 0 ? ' A star is the knee of a variant’s curve.' : '') +
    ' Click a mark to open that run’s report.';
  const spectra = input.variants.some((v) => (v.spectrum ?? []).length > 0)
    ? `<section><h2>Percentile spectra</h2>
${panel('spectrum-chart', 'Latency by percentile, each variant', 'Latency at each percentile from p0 to p99.99 for each variant, log scale', '', false)}</div>
</section>`
    : '';
  return `<section><h2>Latency against throughput</h2>
${panel('latency-throughput-chart', 'p99 and p50 against achieved responses/s, every run of every variant', 'Latency p99 and p50 of every run against its achieved responses per second, one colour per variant', '<label><input type="checkbox" id="latency-throughput-log"> log scale</label>', true)}
<p class="legend-note">${escapeHtml(note)}</p></div>
</section>${spectra === '' ? '' : `\n${spectra}`}`;
}

function failedOf(input: OverlayReportInput): string {
  const failed = input.variants.filter((v) => v.failed !== undefined);
  if (failed.length === 0) return '';
  const items = failed
    .map((v) => `<li><b>${escapeHtml(v.name)}</b>: ${escapeHtml(v.failed ?? '')}</li>`)
    .join('');
  return `<section><h2>Failed variants</h2><ul id="failed-variants">${items}</ul></section>`;
}

function runsOf(input: OverlayReportInput): string {
  const blocks = input.variants
    .filter((v) => v.points.length > 0)
    .map((v) => {
      const items = v.points
        .map((p, i) => {
          const text = `run ${i + 1}: ${p.offeredRps === undefined ? '' : `offered ${formatRps(p.offeredRps)}/s, `}${formatRps(p.achievedRps)} responses/s, p50 ${formatMs(p.p50Ms)} ms, p99 ${formatMs(p.p99Ms)} ms, errors ${formatPercent(p.errorRate)}${p.generatorLimit === undefined ? '' : ` (generator-limited: ${p.generatorLimit})`}`;
          return p.reportHref === undefined
            ? `<li>${escapeHtml(text)}</li>`
            : `<li><a href="${escapeHtml(hrefOfPath(p.reportHref))}">${escapeHtml(text)}</a></li>`;
        })
        .join('');
      return `<h3>${escapeHtml(v.name)}</h3><ul>${items}</ul>`;
    });
  if (blocks.length === 0) return '';
  return `<section class="runs"><h2>Every run’s report</h2>${blocks.join('')}</section>`;
}

/** Renders the overlay report of a sweep or capacity search as one HTML string. */
export function renderOverlayReportHtml(input: OverlayReportInput): string {
  const body = [headerOf(input), tableOf(input), chartsOf(input), failedOf(input), runsOf(input)]
    .filter((part) => part !== '')
    .join('\n');
  return htmlPage({
    title: `${input.title} — loadlab ${input.kind} report`,
    css: overlayCss,
    body: `${body}\n<footer>loadlab ${escapeHtml(input.kind)} report</footer>`,
    dataElementId: overlayDataElementId,
    data: overlayChartData(input),
    script: overlayScript,
  });
}
