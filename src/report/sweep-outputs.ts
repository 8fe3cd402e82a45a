/**
 * A sweep in the terminal, as Markdown and as a JUnit suite: one row (or case) per variant, with
 * its rank, its SLO verdict and its figures, then the decision.
 */
import type { SweepDocument } from '../analysis/index.js';
import type { JunitCase, JunitSuite } from './junit.js';
import { sweepCells, sweepColumns } from './sweep-overlay.js';

function rows(doc: SweepDocument): string[][] {
  return doc.variants.map((v) => {
    const cells = sweepCells(v);
    return [String(v.rank ?? ''), v.name, v.verdict, ...sweepColumns.map((c) => cells[c.key] ?? '')];
  });
}

const headings = ['rank', 'variant', 'verdict', ...sweepColumns.map((c) => c.heading)];

/** The table and the decision, for stdout. */
export function formatSweep(doc: SweepDocument): string {
  const all = [headings, ...rows(doc)];
  const widths = headings.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const pareto =
    doc.pareto.length === 0 ? '' : `Pareto front (throughput vs p99): ${doc.pareto.join('; ')}\n`;
  const runs = doc.variants.reduce((n, v) => n + v.runs.length, 0);
  const flagged = doc.variants.reduce(
    (n, v) => n + (v.generator?.['saturated'] ?? 0) + (v.generator?.['busy-host'] ?? 0),
    0,
  );
  const warning =
    flagged === 0
      ? ''
      : `! the load generator flagged ${flagged} of ${runs} runs (saturated, or a busy host): their figures describe the machine as much as the service\n`;
  return `${all.map(line).join('\n')}\n${pareto}${warning}${doc.decision}\n`;
}

/** GitHub-flavoured Markdown: the decision, then the table. */
export function sweepMarkdown(doc: SweepDocument): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const table = [
    `| ${headings.join(' | ')} |`,
    `| ${headings.map(() => '---').join(' | ')} |`,
    ...rows(doc).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  return `## Sweep of ${doc.scenario}\n\n**${esc(doc.decision)}**\n\n${table.join('\n')}\n\n${doc.method}\n`;
}

/** One case per variant: passed when its SLOs held, failed when they missed or it failed, skipped while pending. */
export function sweepSuite(doc: SweepDocument, options: { timestamp?: string } = {}): JunitSuite {
  const classname = `loadlab.sweep.${doc.scenario}`;
  const cases: JunitCase[] = doc.variants.map((v) => {
    const cells = sweepCells(v);
    const output = sweepColumns.map((c) => `${c.heading}: ${cells[c.key] ?? ''}`).join('\n');
    const outcome: JunitCase['outcome'] =
      v.status === 'failed'
        ? { kind: 'failure', type: 'failed', message: v.reason ?? 'the variant failed' }
        : v.status === 'pending'
          ? { kind: 'skipped', message: 'not run yet (the sweep was interrupted)' }
          : v.slo.held === true
            ? { kind: 'passed' }
            : {
                kind: 'failure',
                type: 'slo',
                message: `SLOs held in ${v.slo.runsHeld} of ${v.runs.length} runs`,
              };
    return { name: v.name, classname, outcome, output };
  });
  return {
    name: `sweep ${doc.scenario}`,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    properties: { decision: doc.decision, outcome: doc.outcome },
    cases,
  };
}
