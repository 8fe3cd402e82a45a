/** The terminal table of `run --repeat N`: each metric's median over the runs, its range and spread. */
import type { RepeatsDocument } from '../analysis/index.js';
import { formatMs, formatPercent } from '../shared/index.js';

function value(v: number, unit: string): string {
  if (unit === 'ms') return `${formatMs(v)} ms`;
  if (unit === '%') return formatPercent(v / 100);
  return `${formatMs(v)} ${unit}`;
}

/** One line per metric: "p99 latency   12.3 ms  (10.1 – 15.2 ms, spread 41%, n=5)". */
export function formatRepeats(doc: RepeatsDocument): string {
  const width = Math.max(...doc.figures.map((f) => f.label.length), 6);
  const lines = [
    `${doc.runs.length} runs of ${doc.scenario}; every SLO held in ${doc.sloHeld} of ${doc.runs.length}`,
    `${'metric'.padEnd(width)}  median (min – max, spread, n)`,
  ];
  for (const f of doc.figures) {
    const spread = f.spread === undefined ? '' : `, spread ${formatPercent(f.spread)}`;
    lines.push(
      `${f.label.padEnd(width)}  ${value(f.median, f.unit)} (${value(f.min, f.unit)} – ${value(f.max, f.unit)}${spread}, n=${f.n})`,
    );
  }
  return lines.join('\n') + '\n';
}
