/**
 * The terminal summary's rows for flows: one line per step (sent, answers, errors, p50 and p99,
 * failed checks) and one per flow (journeys started, completed, failed, unfinished; duration).
 *
 *   steps       step           sent   answers  errors  p50 ms  p99 ms  checks failed
 *               create          240       240       0    12.1    45.3  0 of 240
 *   journeys    signup: 240 started · 131 completed · 0 failed · 109 unfinished · p50 850 ms
 */
import type { ResultDocument } from '../results/index.js';
import { formatCount, formatMs } from './format.js';

/** The rows, each through `row(label, value)`; none for a run without flows. */
export function stepRows(result: ResultDocument, row: (label: string, value: string) => string): string[] {
  const steps = result.steps;
  if (steps === undefined || steps.length === 0) return [];
  const header = ['step', 'sent', 'answers', 'errors', 'p50 ms', 'p99 ms', 'checks failed'];
  const body = steps.map((s) => {
    const checks = s.checks.reduce((n, c) => n + c.passes + c.failures, 0);
    const failed = s.checks.reduce((n, c) => n + c.failures, 0);
    const kinds = Object.entries(s.errors.byKind)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${formatCount(n)}`)
      .join(' ');
    return [
      s.name,
      formatCount(s.sent),
      formatCount(s.requests),
      s.errors.total === 0 ? '0' : `${formatCount(s.errors.total)} (${kinds})`,
      s.requests === 0 ? '–' : formatMs(s.latencyMs.p50),
      s.requests === 0 ? '–' : formatMs(s.latencyMs.p99),
      checks === 0 ? '' : `${formatCount(failed)} of ${formatCount(checks)}`,
    ];
  });
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, c) => (c === 0 || c >= 3 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = table.map((r, i) => row(i === 0 ? 'steps' : '', line(r)));
  for (const s of steps) {
    for (const e of s.moduleErrors ?? []) {
      lines.push(
        row(
          '',
          `${s.name}: module error ×${formatCount(e.count)}${e.at === undefined ? '' : ` at ${e.at}`}: ${e.message}`,
        ),
      );
    }
  }
  (result.journeys ?? []).forEach((j, i) => {
    const duration =
      j.completed === 0
        ? ''
        : ` · duration p50 ${formatMs(j.durationMs.p50)} ms, p99 ${formatMs(j.durationMs.p99)} ms`;
    lines.push(
      row(
        i === 0 ? 'journeys' : '',
        `${j.flow}: ${formatCount(j.started)} started · ${formatCount(j.completed)} completed · ${formatCount(j.failed)} failed · ${formatCount(j.unfinished)} unfinished${duration}`,
      ),
    );
  });
  return lines;
}
