/** A comparison as plain text for the terminal: a header, the table, the method and the gates. */
import type { Comparison } from '../analysis/index.js';
import {
  changeHeader,
  comparisonRows,
  gateLines,
  marginNote,
  sideHeader,
  sidesNote,
  methodTexts,
  verdictHeadline,
} from './compare-rows.js';

/** The comparison as lines of text (no colour), ending with a newline. */
export function formatComparison(comparison: Comparison): string {
  const header = [
    'metric',
    sideHeader(comparison, 'a'),
    sideHeader(comparison, 'b'),
    changeHeader(comparison),
    'verdict',
  ];
  const rows = comparisonRows(comparison).map((r) => [r.metric, r.a, r.b, r.change, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const methods = methodTexts(comparison);
  const out = [
    `compare ${comparison.scenario}: ${comparison.a.label} = ${describeSide(comparison.a)}, ${comparison.b.label} = ${describeSide(comparison.b)}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `method: ${methods.verdicts}`,
    ...(methods.gates === undefined ? [] : [`gate method: ${methods.gates}`]),
    ...(sidesNote(comparison) === undefined ? [] : [sidesNote(comparison) as string]),
    marginNote(comparison),
    `verdict: ${verdictHeadline(comparison) || 'no metrics'}`,
  ];
  if (comparison.gate !== undefined) {
    out.push(`gate: ${comparison.gate}`);
    for (const g of gateLines(comparison)) out.push(`  ${g}`);
  }
  return out.join('\n') + '\n';
}

function describeSide(side: Comparison['a']): string {
  const where = side.sources.length === 1 ? side.sources[0] : commonFolder(side.sources);
  return `${side.runs} run${side.runs === 1 ? '' : 's'} (${where})`;
}

/** The longest common leading path of the sources, e.g. "reports/base" for its run-1/…, run-2/…. */
function commonFolder(paths: readonly string[]): string {
  const split = paths.map((p) => p.split('/'));
  const first = split[0] ?? [];
  let i = 0;
  while (i < first.length - 1 && split.every((s) => s[i] === first[i])) i++;
  return first.slice(0, i).join('/') || '.';
}
