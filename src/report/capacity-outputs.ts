/**
 * A capacity search for people and for CI: the terminal table, the Markdown summary and the JUnit
 * suite, each with the answer first and then the curve (one row per step).
 */
import type { CapacityDocument, CapacityPoint } from '../analysis/index.js';
import { formatMs, formatPercent, formatRps } from '../shared/index.js';
import type { JunitCase, JunitSuite } from './junit.js';

const headings = ['step', 'rate/s', 'achieved/s', 'p50 ms', 'p99 ms', 'errors', 'SLO'];

/** The cells of one step's row. */
function cells(p: CapacityPoint): string[] {
  return [
    String(p.step),
    formatRps(p.rate),
    formatRps(p.achievedRps),
    formatMs(p.p50Ms),
    formatMs(p.p99Ms),
    `${p.errors} (${formatPercent(p.errorRate)})`,
    verdictOf(p),
  ];
}

function verdictOf(p: CapacityPoint): string {
  if (p.generatorLimit !== undefined) return 'generator limit';
  if (p.rerun === true) return 'missed on a busy host: run again';
  return p.held ? 'held' : 'missed';
}

/** The knee in words, or why there is none. */
function kneeText(doc: CapacityDocument): string {
  if (doc.knee === null) return 'Knee: none found (fewer than 3 steps, or p99 never rose).';
  return `Knee (Kneedle): ${formatRps(doc.knee.achievedRps)} req/s achieved at p99 ${formatMs(doc.knee.p99Ms)} ms (step ${doc.knee.step}, rate ${formatRps(doc.knee.rate)}/s).`;
}

/** The terminal text: the headline, the curve as a table, the knee. */
export function formatCapacity(doc: CapacityDocument): string {
  const rows = [headings, ...doc.steps.map(cells)];
  const widths = headings.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = [doc.headline, ''];
  for (const r of rows) lines.push(r.map((c, i) => (i === 6 ? c : c.padStart(widths[i] ?? 0))).join('  '));
  lines.push('', kneeText(doc), ...doc.cautions);
  for (const p of doc.steps) {
    if (p.generatorLimit !== undefined) lines.push(`step ${p.step}: ${p.generatorLimit}`);
    else if (!p.held && p.missed.length > 0) lines.push(`step ${p.step} missed: ${p.missed.join('; ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The Markdown summary: the headline in bold, the curve, the knee and the method. */
export function capacityMarkdown(doc: CapacityDocument): string {
  const lines = [
    `### loadlab capacity: ${inline(doc.scenario)}`,
    '',
    `**${inline(doc.headline)}**`,
    '',
    row(headings),
    '|--:|--:|--:|--:|--:|--:|:--|',
    ...doc.steps.map((p) => row(cells(p))),
    '',
    inline(kneeText(doc)),
    '',
    ...doc.cautions.flatMap((c) => [`> ${inline(c)}`, '']),
    inline(doc.method),
    '',
  ];
  return lines.join('\n');
}

/**
 * One suite: a case for the search (passed with a capacity, failed when the SLO never held,
 * skipped when inconclusive) and one per step with its figures (a step that missed is part of
 * the search, not a failure).
 */
export function capacitySuite(doc: CapacityDocument): JunitSuite {
  const classname = `loadlab.capacity.${doc.scenario}`;
  const found = doc.verdict === 'capacity' || doc.verdict === 'held-to-max';
  const search: JunitCase = {
    name: 'capacity',
    classname,
    outcome: found
      ? { kind: 'passed' }
      : doc.verdict === 'never-held' || doc.verdict === 'failed'
        ? { kind: 'failure', type: doc.verdict, message: doc.headline }
        : { kind: 'skipped', message: doc.headline },
    output: `${doc.headline}\n${doc.method}`,
  };
  const steps: JunitCase[] = doc.steps.map((p) => ({
    name: `step ${p.step}: ${formatRps(p.rate)}/s`,
    classname: `${classname}.step`,
    outcome: { kind: 'passed' },
    output: `${headings.join(', ')}: ${cells(p).join(', ')}${p.missed.length > 0 ? `\nmissed: ${p.missed.join('; ')}` : ''}`,
  }));
  return {
    name: `capacity ${doc.scenario}`,
    timestamp: doc.startedAt,
    time: (Date.parse(doc.endedAt) - Date.parse(doc.startedAt)) / 1000,
    properties: {
      capacity: doc.capacity === null ? 'none' : String(doc.capacity),
      verdict: doc.verdict,
    },
    cases: [search, ...steps],
  };
}

function row(cellTexts: string[]): string {
  return `| ${cellTexts.map((c) => inline(c).replace(/\|/g, '\\|')).join(' | ')} |`;
}

function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/([\\`*_<>[\]])/g, '\\$1');
}
