/**
 * GitHub-flavoured Markdown summaries, fit for a pull-request comment or `$GITHUB_STEP_SUMMARY`:
 * the verdict first, then the table, then the method.
 */
import { errorRate, type Comparison } from '../analysis/index.js';
import type { ResultDocument } from '../results/index.js';
import {
  changeHeader,
  comparisonRows,
  marginNote,
  methodTexts,
  sideHeader,
  sidesNote,
  verdictHeadline,
} from './compare-rows.js';
import { describeSloCheck, formatMs, formatPercent, formatRps, sloHeadline } from './format.js';

const gateWords = { pass: 'Gate passed', fail: 'Gate failed', inconclusive: 'Gate inconclusive' } as const;

/** A comparison in Markdown: the gate outcome or verdicts first, then the table, the gates and the method. */
export function comparisonMarkdown(comparison: Comparison): string {
  const headline = verdictHeadline(comparison) || 'no metrics';
  const lines = [`### loadlab compare: ${inline(comparison.scenario)}`, ''];
  if (comparison.gate !== undefined) {
    lines.push(`**${gateWords[comparison.gate]}**: ${inline(headline)}`, '');
  } else {
    lines.push(`**Verdict**: ${inline(headline)}`, '');
  }
  lines.push(
    row([
      'metric',
      sideHeader(comparison, 'a'),
      sideHeader(comparison, 'b'),
      changeHeader(comparison),
      'verdict',
    ]),
    '|:--|--:|--:|:--|:--|',
    ...comparisonRows(comparison).map((r) => row([r.metric, r.a, r.b, r.change, r.verdict])),
    '',
  );
  if (comparison.gates.length > 0) {
    lines.push(
      ...comparison.gates.map((g) => `- \`${g.threshold.text}\` **${g.outcome}**: ${inline(g.reason)}`),
      '',
    );
  }
  const methods = methodTexts(comparison);
  lines.push(
    `${inline(methods.verdicts)}. ${inline(sidesNote(comparison) ?? '')} ${inline(marginNote(comparison))}`.replace(
      '.  ',
      '. ',
    ),
    '',
    ...(methods.gates === undefined ? [] : [`Gates: ${inline(methods.gates)}.`, '']),
    `${inline(comparison.a.label)}: ${comparison.a.runs} run${comparison.a.runs === 1 ? '' : 's'}, ${inline(
      comparison.b.label,
    )}: ${comparison.b.runs} run${comparison.b.runs === 1 ? '' : 's'}.`,
    '',
  );
  return lines.join('\n');
}

/** A run in Markdown: the SLO headline first, then the main figures and each SLO check. */
export function runMarkdown(result: ResultDocument): string {
  const s = result.summary;
  const headline = result.interrupted ? 'Interrupted' : sloHeadline(result.slo);
  const lines = [
    `### loadlab run: ${inline(result.scenario.name)}`,
    '',
    `**${headline}**`,
    '',
    row(['requests', 'throughput', 'p50', 'p99', 'errors']),
    '|--:|--:|--:|--:|--:|',
    row([
      String(s.requests),
      `${formatRps(s.rps)} req/s`,
      `${formatMs(s.latencyMs.p50)} ms`,
      `${formatMs(s.latencyMs.p99)} ms`,
      `${s.errors.total} (${formatPercent(errorRate(s) ?? 0)})`,
    ]),
    '',
  ];
  for (const check of result.slo)
    lines.push(`- ${check.held ? 'held' : 'missed'}: ${inline(describeSloCheck(check))}`);
  if (result.slo.length > 0) lines.push('');
  return lines.join('\n');
}

/** One table row; pipes inside a cell are escaped, line breaks become spaces. */
function row(cells: string[]): string {
  return `| ${cells.map((c) => inline(c).replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** Text on one line, with Markdown's emphasis and code characters escaped. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/([\\`*_<>[\]])/g, '\\$1');
}
