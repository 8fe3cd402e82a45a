/**
 * The run summary printed in the terminal: a compact table of throughput, latency, errors and
 * SLO verdicts. The CLI decides whether to colour it and prints the report path itself.
 *
 *   pool-exhaustion · 60 s · http://127.0.0.1:41234 (reference)
 *     requests    120,345 (2,005.8/s)
 *     sent        120,400   dropped 0   in flight at stop 55
 *     latency     p50    p90    p99    p99.9   max    mean
 *     (ms)        4.23   8.12   12.3   45.6    120    5.01
 *     service     4.10   7.90   11.8   40.2    110    4.80     (open model: from the actual send)
 *     generator   lag p99 0.21 ms · sent 2,000.0/s of 2,000.0/s planned
 *     errors      12 (0.01%)   5xx 10   timeout 2
 *     SLO         ✔ p99 12.3 ms ≤ 80 ms (67.7 ms headroom)
 */
import { errorRate } from '../analysis/index.js';
import type { ConnectionsRecord, ResultDocument } from '../results/index.js';
import {
  describeRecovery,
  describeSloCheck,
  errorKindsInOrder,
  formatCount,
  formatMs,
  formatPercent,
  formatRps,
  formatSeconds,
} from './format.js';
import { findingsOf } from '../analysis/index.js';
import { stepRows } from './terminal-steps.js';

/** How to render the summary: `color` adds ANSI colour codes (only for a TTY that wants them). */
export interface SummaryFormatOptions {
  color: boolean;
}

const ansi = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33' } as const;
type Style = keyof typeof ansi;

const labelWidth = 12;

/** Formats a result as a few aligned lines of text (no trailing newline, no report path). */
export function formatSummary(result: ResultDocument, options: SummaryFormatOptions): string {
  const paint = (text: string, style: Style): string =>
    options.color ? `\x1b[${ansi[style]}m${text}\x1b[0m` : text;
  const row = (label: string, value: string): string =>
    `  ${label === '' ? ' '.repeat(labelWidth) : paint(label.padEnd(labelWidth), 'dim')}${value}`;
  const { summary } = result;
  const lines: string[] = [];

  const title = [paint(result.scenario.name, 'bold'), formatSeconds(summary.durationS)];
  title.push(`${result.target.url} (${result.target.kind})`);
  if (result.interrupted) {
    const why = result.abortReason === undefined ? '' : ` (${result.abortReason})`;
    title.push(paint(`interrupted${why}`, 'yellow'));
  }
  lines.push(title.join(' · '));

  lines.push(row('requests', `${formatCount(summary.requests)} (${formatRps(summary.rps)}/s)`));
  lines.push(
    row(
      'sent',
      [
        formatCount(summary.sent),
        `dropped ${formatCount(summary.dropped)}`,
        `in flight at stop ${formatCount(summary.inFlightAtStop)}`,
      ].join('   '),
    ),
  );

  const unanswered = summary.unanswered ?? 0;
  if (unanswered > 0) {
    const text = `${formatCount(unanswered)} never answered: errors of kind "unanswered", in the latencies at their age (up to ${formatMs(summary.latencyMs.max)} ms)`;
    lines.push(row('unanswered', paint(text, 'red')));
  }

  const latency = summary.latencyMs;
  const columns: [string, number][] = [
    ['p50', latency.p50],
    ['p90', latency.p90],
    ['p99', latency.p99],
    ['p99.9', latency.p999],
    ['max', latency.max],
    ['mean', latency.mean],
  ];
  const service = summary.serviceTimeMs;
  const serviceColumns: number[] =
    service === undefined
      ? []
      : [service.p50, service.p90, service.p99, service.p999, service.max, service.mean];
  const cells = columns.map(([name, ms], i) => {
    const value = formatMs(ms);
    const other = serviceColumns[i] === undefined ? '' : formatMs(serviceColumns[i]);
    const width = Math.max(name.length, value.length, other.length) + 3;
    return { name: name.padEnd(width), value: value.padEnd(width), service: other.padEnd(width) };
  });
  if (summary.requests === 0) {
    lines.push(row('latency', 'no responses'));
  } else {
    lines.push(
      row(
        'latency',
        cells
          .map((c) => c.name)
          .join('')
          .trimEnd(),
      ),
    );
    lines.push(
      row(
        '(ms)',
        cells
          .map((c) => c.value)
          .join('')
          .trimEnd(),
      ),
    );
    if (service !== undefined) {
      const text = cells
        .map((c) => c.service)
        .join('')
        .trimEnd();
      lines.push(row('service', `${text}   ${paint('(from the actual send)', 'dim')}`));
    }
  }
  const generator = summary.generator;
  // The schedule check is the open model's; closed runs carry only the generator's own load.
  if (
    generator?.schedulingLagP99Ms !== undefined &&
    generator.sendRateAchieved !== undefined &&
    generator.sendRatePlanned !== undefined
  ) {
    const text = `lag p99 ${formatMs(generator.schedulingLagP99Ms)} ms · sent ${formatRps(generator.sendRateAchieved)}/s of ${formatRps(generator.sendRatePlanned)}/s planned`;
    lines.push(
      row(
        'generator',
        generator.suspect === true
          ? paint(
              `${text} · ${generator.verdict ?? 'suspect'}: ${(generator.reasons ?? []).join('; ')}`,
              'yellow',
            )
          : text,
      ),
    );
  }

  const connections = result.connections;
  if (connections !== undefined && result.target.kind === 'external') {
    lines.push(row('connections', describeConnections(connections)));
    if (connections.insecure === true) {
      lines.push(
        row(
          '',
          paint("TLS certificate NOT verified (--insecure): the target's identity is unchecked", 'yellow'),
        ),
      );
    }
  }

  const rate = errorRate(summary);
  if (summary.errors.total === 0) {
    lines.push(row('errors', 'none'));
  } else {
    const total = `${formatCount(summary.errors.total)}${rate === undefined ? '' : ` (${formatPercent(rate)})`}`;
    const kinds = errorKindsInOrder(summary.errors.byKind).map(([kind, n]) => `${kind} ${formatCount(n)}`);
    lines.push(row('errors', [paint(total, 'red'), ...kinds].join('   ')));
  }

  lines.push(...stepRows(result, row));

  result.slo.forEach((check, i) => {
    const mark = check.held ? paint('✔', 'green') : paint('✘', 'red');
    lines.push(row(i === 0 ? 'SLO' : '', `${mark} ${describeSloCheck(check)}`));
  });
  (result.recovery ?? []).forEach((r, i) => lines.push(row(i === 0 ? 'recovery' : '', describeRecovery(r))));

  const findings = findingsOf(result);
  const found = findings.filter((f) => f.verdict === 'found');
  found.forEach((f, i) => lines.push(row(i === 0 ? 'findings' : '', paint(`! ${f.message}`, 'yellow'))));
  const clear = findings.filter((f) => f.verdict === 'clear').length;
  const unknown = findings.filter((f) => f.verdict === 'not-enough-data').length;
  if (findings.length > 0) {
    const rest = `${clear} clear, ${unknown} without enough data`;
    lines.push(
      row(
        found.length === 0 ? 'findings' : '',
        found.length === 0 ? `none found (${rest})` : paint(rest, 'dim'),
      ),
    );
  }
  return lines.join('\n');
}

const protocolNames: Record<ConnectionsRecord['protocol'], string> = {
  h1: 'HTTP/1.1',
  h2: 'HTTP/2',
  h2c: 'HTTP/2 cleartext (h2c)',
};

/** "8 opened · HTTP/1.1 over TLS · connect p50 0.3 p99 1.1 ms · TLS p50 2.9 p99 4.0 ms". */
export function describeConnections(c: ConnectionsRecord): string {
  const protocol = `${protocolNames[c.protocol]}${c.tls ? ' over TLS' : ''}${c.asked === 'auto' ? ' (auto: by ALPN)' : ''}`;
  const parts = [`${formatCount(c.opened)} opened`, protocol];
  if (c.h2 !== undefined) {
    const allows = c.h2.settings?.maxConcurrentStreams;
    const limit =
      typeof allows === 'number' && allows < 2 ** 31 ? ` (server allows ${formatCount(allows)})` : '';
    parts.push(`up to ${formatCount(c.h2.peakStreamsPerConnection)} streams on one${limit}`);
  }
  parts.push(`connect p50 ${formatMs(c.connectMs.p50)} p99 ${formatMs(c.connectMs.p99)} ms`);
  if (c.tlsMs !== undefined) parts.push(`TLS p50 ${formatMs(c.tlsMs.p50)} p99 ${formatMs(c.tlsMs.p99)} ms`);
  return parts.join(' · ');
}
