/** The report's findings list and its service summary card, each rendered from the result. */
import type { Finding, ResultDocument } from '../results/index.js';
import { escapeHtml } from './escape.js';
import { findingsForReading } from '../analysis/index.js';
import { formatCount, formatMs, formatPercent } from './format.js';

const verdictText: Record<Finding['verdict'], string> = {
  found: 'found',
  clear: 'clear',
  'not-enough-data': 'not enough data',
};

/** Each rule's answer with the numbers behind it, found ones first; the threshold on hover and below. */
export function findingsSection(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const items = findingsForReading(findings)
    .map(
      (f) =>
        `<li class="finding ${f.verdict}" data-rule="${escapeHtml(f.rule)}"><span class="finding-verdict">${escapeHtml(
          verdictText[f.verdict],
        )}</span> ${escapeHtml(f.message)}<div class="finding-rule">${escapeHtml(f.rule)}: ${escapeHtml(f.threshold)}</div></li>`,
    )
    .join('');
  return `<section id="findings"><h2>Findings</h2><ul class="findings">${items}</ul></section>`;
}

type Row = [label: string, value: string];

/** Peaks and totals of the service's telemetry over the run; nothing when there was none. */
export function serviceSummarySection(result: ResultDocument): string {
  const points = result.series.flatMap((p) => (p.service === undefined ? [] : [p.service]));
  if (points.length === 0) {
    const why = result.telemetry?.note;
    return why === undefined
      ? ''
      : `<section><h2>Service</h2><p class="empty">No service telemetry: ${escapeHtml(why)}.</p></section>`;
  }
  const max = (pick: (s: (typeof points)[number]) => number | undefined): number | undefined => {
    const values = points.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const sum = (pick: (s: (typeof points)[number]) => number | undefined): number | undefined => {
    const values = points.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
  };
  const rows: Row[] = [];
  const add = (label: string, value: number | undefined, text: (v: number) => string) => {
    if (value !== undefined) rows.push([label, text(value)]);
  };
  const ms = (v: number) => `${formatMs(v)} ms`;
  const mb = (v: number) => `${formatMs(v / 1048576)} MB`;
  add(
    'event-loop delay p99, worst second',
    max((s) => s.eventLoopDelayMs?.p99),
    ms,
  );
  add(
    'event-loop utilisation, peak',
    max((s) => s.elu),
    (v) => formatPercent(v),
  );
  add(
    'CPU user + system, peak',
    max((s) => (s.cpuUserPct ?? 0) + (s.cpuSystemPct ?? 0) || undefined),
    (v) => `${formatMs(v)}% of a core`,
  );
  add(
    'heap used, peak',
    max((s) => s.heapUsedBytes),
    mb,
  );
  add(
    'RSS, peak',
    max((s) => s.rssBytes),
    mb,
  );
  add(
    'GC pause, total',
    sum((s) => s.gcPauseMs),
    ms,
  );
  add(
    'GC pause, worst second',
    max((s) => s.gcPauseMs),
    ms,
  );
  add(
    'pool waiting, peak',
    max((s) => s.pool?.waiting),
    formatCount,
  );
  add(
    'pool acquire wait p99, worst second',
    max((s) => s.pool?.acquireWaitP99Ms),
    ms,
  );
  add(
    'in flight, peak',
    max((s) => s.inFlight),
    formatCount,
  );
  add(
    'shed',
    sum((s) => s.shed),
    formatCount,
  );
  const hits = sum((s) => s.cache?.hit);
  const reads = sum((s) => Object.values(s.cache ?? {}).reduce((a, b) => a + b, 0) || undefined);
  if (hits !== undefined && reads !== undefined && reads > 0)
    rows.push(['cache hit ratio', formatPercent(hits / reads)]);
  const source =
    result.telemetry === undefined
      ? ''
      : ` · ${result.telemetry.source === 'ipc' ? 'sampled in-process' : 'scraped from /metrics'}, ${formatCount(result.telemetry.samples)} samples`;
  const body = rows.map(([l, v]) => `<tr><th>${escapeHtml(l)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<section><h2>Service${escapeHtml(source)}</h2><div class="cards"><div class="card"><table>${body}</table></div></div></section>`;
}
