/**
 * The report's section on shards: for a merged result, each shard as it ran (host, clock, counts,
 * its own generator self-check) and the shards missing; for one shard's result, which share it was.
 */
import type { ResultDocument } from '../results/index.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatSeconds } from './format.js';

/** Empty for a run that was neither a shard nor a merge of shards. */
export function shardsSection(result: ResultDocument): string {
  if (result.merged !== undefined) {
    const { merged } = result;
    const head = [
      'shard',
      'host',
      'load started (its clock)',
      'offset',
      'sent',
      'responses',
      'errors',
      'generator',
    ];
    const rows = merged.shards.map((s) => [
      `${s.index}/${merged.count}`,
      s.hostname,
      s.clock.startedAt,
      `${s.clock.offsetMs} ms`,
      formatCount(s.sent),
      formatCount(s.requests),
      formatCount(s.errors),
      `${s.generator?.verdict ?? '—'}${s.failure === undefined ? '' : ` · failed: ${s.failure.code}`}${s.interrupted ? ' · interrupted' : ''}`,
    ]);
    const missing =
      merged.missing.length === 0
        ? ''
        : `<p class="missing">Missing shards: ${escapeHtml(merged.missing.map((i) => `${i}/${merged.count}`).join(', '))} — this result holds less than the planned load.</p>`;
    const cells = (r: string[], tag: string) =>
      `<tr>${r.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
    return `<section><h2>Shards</h2><p>Merged from ${merged.shards.length} of ${merged.count} shards: each second's histograms added, counts summed.</p>${missing}
<table>${cells(head, 'th')}${rows.map((r) => cells(r, 'td')).join('')}</table></section>`;
  }
  if (result.shard !== undefined) {
    const s = result.shard;
    return `<section><h2>Shard</h2><p>${escapeHtml(
      `Shard ${s.index}/${s.count} of a run (scenario ${s.scenarioId.slice(0, 19)}…, ${formatSeconds(s.plannedMs / 1000)} planned), started ${s.clock.startedAt} by its own clock for --start-at ${s.startAt}. \`loadlab merge\` joins it with the others.`,
    )}</p></section>`;
  }
  return '';
}
