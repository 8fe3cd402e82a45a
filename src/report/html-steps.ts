/**
 * The report's section for flows: a table of every step (sent, answers, errors by kind, latency
 * percentiles, checks), a table of each flow's journeys, and a canvas for each step's p99 over
 * time (drawn by charts-script.ts from `data.steps`). Empty for a run without flows.
 */
import type { ResultDocument } from '../results/index.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatMs } from './format.js';

export function stepsSection(result: ResultDocument): string {
  const steps = result.steps;
  if (steps === undefined || steps.length === 0) return '';
  const cell = (text: string, left = false): string =>
    `<td${left ? ' class="text"' : ''}>${escapeHtml(text)}</td>`;
  // Names over text columns sit left, over figures right, as their cells do.
  const head = (names: string[], text: number[]): string =>
    `<tr>${names.map((n, i) => `<th${text.includes(i) ? '' : ' style="text-align:right"'}>${escapeHtml(n)}</th>`).join('')}</tr>`;
  const stepRows = steps.map((s) => {
    const kinds = Object.entries(s.errors.byKind)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${formatCount(n)}`)
      .join(', ');
    const checks = s.checks
      .map((c) => `${c.name}: ${formatCount(c.passes)} held, ${formatCount(c.failures)} failed`)
      .join('; ');
    const modules = (s.moduleErrors ?? [])
      .map((e) => `${e.at ?? 'module'}: ${e.message} (×${e.count})`)
      .join('; ');
    const answered = s.requests > 0;
    return `<tr>${[
      cell(s.name, true),
      cell(s.flow, true),
      cell(s.request, true),
      cell(formatCount(s.sent)),
      cell(formatCount(s.requests)),
      cell(s.errors.total === 0 ? '0' : `${formatCount(s.errors.total)} (${kinds})`),
      cell(answered ? formatMs(s.latencyMs.p50) : '–'),
      cell(answered ? formatMs(s.latencyMs.p90) : '–'),
      cell(answered ? formatMs(s.latencyMs.p99) : '–'),
      cell(answered ? formatMs(s.latencyMs.max) : '–'),
      cell([checks, modules].filter((x) => x !== '').join('; '), true),
    ].join('')}</tr>`;
  });
  const journeyRows = (result.journeys ?? []).map(
    (j) =>
      `<tr>${[
        cell(j.flow, true),
        cell(formatCount(j.started)),
        cell(formatCount(j.completed)),
        cell(formatCount(j.failed)),
        cell(formatCount(j.unfinished)),
        cell(j.completed > 0 ? formatMs(j.durationMs.p50) : '–'),
        cell(j.completed > 0 ? formatMs(j.durationMs.p99) : '–'),
      ].join('')}</tr>`,
  );
  const open = result.scenario.load.model === 'open';
  return `<section><h2>Steps of the journeys</h2>
<div class="card"><h3>Per step${open ? ' (latency from the time each step was due)' : ''}</h3><table>
${head(['step', 'flow', 'request', 'sent', 'answers', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'checks'], [0, 1, 2, 10])}
${stepRows.join('\n')}
</table></div>
<div class="card"><h3>Journeys</h3><table>
${head(['flow', 'started', 'completed', 'failed', 'unfinished', 'duration p50 ms', 'duration p99 ms'], [0])}
${journeyRows.join('\n')}
</table></div>
<div class="chart-panel"><div class="chart-head"><h3>Latency p99 per step</h3></div><div class="chart-box"><canvas id="steps-chart" aria-label="Each step's latency p99 per second"></canvas></div></div>
</section>`;
}
