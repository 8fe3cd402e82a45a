/**
 * The side-by-side section of the comparison report: what A and B each are (their description,
 * targets and the scenario settings where they differ), how many runs, their medians, and a link
 * to each run's own report.
 */
import type { Comparison } from '../analysis/index.js';
import type { ResultDocument } from '../results/index.js';
import { figure } from './compare-rows.js';
import type { ComparisonReportSide } from './comparison-input.js';
import { escapeHtml } from './escape.js';
import { formatSeconds } from './format.js';
import { hrefOfPath } from './html-page.js';

/** One scenario setting that differs between the sides: its path and each side's value as JSON. */
export interface SettingDifference {
  path: string;
  a: string;
  b: string;
}

const maxDifferences = 30;

/** Where the two resolved scenarios differ (e.g. `service.db.pool.max`: 5 vs 20), at most 30 paths. */
export function settingDifferences(
  a: unknown,
  b: unknown,
  path = '',
  out: SettingDifference[] = [],
): SettingDifference[] {
  if (out.length >= maxDifferences || JSON.stringify(a) === JSON.stringify(b)) return out;
  const join = (key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => settingDifferences(v, b[i], join(i), out));
    return out;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      settingDifferences(a[key], b[key], join(key), out);
    }
    return out;
  }
  out.push({
    path: path === '' ? '(scenario)' : path,
    a: JSON.stringify(a) ?? 'absent',
    b: JSON.stringify(b) ?? 'absent',
  });
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Row = [label: string, value: string];

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function medianOf(comparison: Comparison, metric: string, which: 'a' | 'b'): string {
  const m = comparison.metrics.find((x) => x.metric === metric);
  const med = m?.geoMean?.[which] ?? m?.[which].median;
  return m === undefined || med === undefined ? 'n/a' : figure(med, m.unit);
}

function sideCard(
  comparison: Comparison,
  which: 'a' | 'b',
  side: ComparisonReportSide,
  differences: SettingDifference[],
  color: string,
): string {
  const info = comparison[which];
  const results: ResultDocument[] = side.results;
  const durations = unique(results.map((r) => formatSeconds(r.summary.durationS)));
  const starts = results.map((r) => r.startedAt).sort();
  const rows: Row[] = [
    ['runs', String(info.runs)],
    ['target', unique(results.map((r) => `${r.target.url} (${r.target.kind})`)).join(', ') || 'n/a'],
    [
      'started',
      starts.length === 0
        ? 'n/a'
        : starts.length === 1
          ? starts[0]!
          : `${starts[0]!} … ${starts[starts.length - 1]!}`,
    ],
    ['measured', durations.join(', ') + (results.length > 1 ? ' each' : '')],
    ['responses/s (median)', medianOf(comparison, 'rps', which)],
    ['p50 (median)', medianOf(comparison, 'p50', which)],
    ['p99 (median)', medianOf(comparison, 'p99', which)],
    ['error rate (median)', medianOf(comparison, 'errorRate', which)],
  ];
  const table = rows
    .map(
      ([label, value]) => `<tr><th>${escapeHtml(label)}</th><td class="text">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const description = (side.description ?? []).map((d) => `<li>${escapeHtml(d)}</li>`).join('');
  const settings = differences
    .map((d) => `<li><code>${escapeHtml(d.path)}</code> = ${escapeHtml(which === 'a' ? d.a : d.b)}</li>`)
    .join('');
  const runs = results
    .map((r, i) => {
      const text = `run ${i + 1}: ${info.sources[i] ?? ''} · p99 ${figure(r.summary.latencyMs.p99, 'ms')} · ${figure(r.summary.rps, 'req/s')}`;
      const href = side.reportHrefs?.[i];
      return href === undefined
        ? `<li>${escapeHtml(text)}</li>`
        : `<li><a href="${escapeHtml(hrefOfPath(href))}">${escapeHtml(text)}</a></li>`;
    })
    .join('');
  return `<div class="card side side-${which}" style="border-top: 4px solid ${color}">
<h3>${escapeHtml(info.label)}</h3>
${description === '' ? '' : `<ul class="what">${description}</ul>`}<table>${table}</table>
${settings === '' ? '' : `<p class="sub">Settings that differ from ${escapeHtml(comparison[which === 'a' ? 'b' : 'a'].label)}:</p><ul class="settings">${settings}</ul>`}
<p class="sub">Runs (each links to its own report):</p><ul class="runs">${runs}</ul>
</div>`;
}

/** A and B side by side. */
export function sidesSection(
  comparison: Comparison,
  a: ComparisonReportSide,
  b: ComparisonReportSide,
): string {
  const differences = settingDifferences(a.results[0]?.scenario, b.results[0]?.scenario);
  return `<section><h2>${escapeHtml(comparison.a.label)} and ${escapeHtml(comparison.b.label)} side by side</h2><div class="cards two">
${sideCard(comparison, 'a', a, differences, '#2563eb')}
${sideCard(comparison, 'b', b, differences, '#ea580c')}
</div></section>`;
}
