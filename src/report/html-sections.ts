/** The parts of the report page that are plain HTML, each rendered from the result document. */
import { errorRate } from '../analysis/index.js';
import type { ResultDocument } from '../results/index.js';
import { escapeHtml } from './escape.js';
import {
  describeRecovery,
  describeSloCheck,
  errorKindsInOrder,
  formatCount,
  formatMs,
  formatPercent,
  formatRps,
  formatSeconds,
  sloHeadline,
} from './format.js';
import { chartPresence } from './report-data.js';

type Row = [label: string, value: string, className?: string];

function table(title: string, rows: Row[]): string {
  const body = rows
    .map(([label, value, className]) => {
      const cls = className === undefined ? '' : ` class="${className}"`;
      return `<tr><th>${escapeHtml(label)}</th><td${cls}>${escapeHtml(value)}</td></tr>`;
    })
    .join('');
  return `<div class="card"><h3>${escapeHtml(title)}</h3><table>${body}</table></div>`;
}

/** Title, description, when and against what, and the SLO verdict with each check's margin. */
export function headerSection(result: ResultDocument): string {
  const { scenario, summary } = result;
  const badge = result.interrupted
    ? ` <span class="badge">interrupted${result.abortReason === undefined ? '' : `: ${escapeHtml(result.abortReason)}`}</span>`
    : '';
  const description =
    scenario.description === undefined
      ? ''
      : `<p class="description">${escapeHtml(scenario.description)}</p>`;
  const meta = `${escapeHtml(result.startedAt)} · ${escapeHtml(formatSeconds(summary.durationS))} of load against ${escapeHtml(
    result.target.url,
  )} (${escapeHtml(result.target.kind)})`;
  const checks = result.slo;
  const state = checks.length === 0 ? '' : checks.every((c) => c.held) ? ' held' : ' missed';
  const items = checks
    .map((c) => `<li class="${c.held ? 'held' : 'missed'}">${escapeHtml(describeSloCheck(c))}</li>`)
    .concat(
      (result.recovery ?? []).map((r) => `<li class="recovery">${escapeHtml(describeRecovery(r))}</li>`),
    )
    .join('');
  return `<header>
<h1>${escapeHtml(scenario.name)}${badge}</h1>
${description}<p class="meta">${meta}</p>
<div class="verdict${state}"><strong>${escapeHtml(sloHeadline(checks))}</strong>${items === '' ? '' : `<ul>${items}</ul>`}</div>
</header>`;
}

/** Throughput, latency and error tables side by side. */
export function summarySection(result: ResultDocument): string {
  const { summary } = result;
  const latency = summary.latencyMs;
  const service = summary.serviceTimeMs;
  const throughput: Row[] = [
    ['responses', formatCount(summary.requests)],
    ['responses/s', formatRps(summary.rps)],
    ['sent', formatCount(summary.sent)],
    ['dropped', formatCount(summary.dropped), summary.dropped > 0 ? 'bad' : undefined],
    ['in flight at stop', formatCount(summary.inFlightAtStop)],
    ...((summary.unanswered ?? 0) > 0
      ? [
          [
            'unanswered (errors, in the latencies at their age)',
            formatCount(summary.unanswered ?? 0),
            'bad',
          ] as Row,
        ]
      : []),
    ['duration', formatSeconds(summary.durationS)],
    ['interrupted', result.interrupted ? 'yes' : 'no', result.interrupted ? 'bad' : undefined],
  ];
  if (summary.serviceCounted !== undefined) {
    throughput.push(['counted by the service', formatCount(summary.serviceCounted)]);
  }
  const latencyTitle = service === undefined ? 'Latency' : 'Latency (from the due time)';
  const latencyRows: Row[] = [
    ['p50', `${formatMs(latency.p50)} ms`],
    ['p90', `${formatMs(latency.p90)} ms`],
    ['p99', `${formatMs(latency.p99)} ms`],
    ['p99.9', `${formatMs(latency.p999)} ms`],
    ['max', `${formatMs(latency.max)} ms`],
    ['mean', `${formatMs(latency.mean)} ms`],
    ['min', `${formatMs(latency.min)} ms`],
  ];
  if (service !== undefined) {
    latencyRows.push(
      ['service time p50', `${formatMs(service.p50)} ms`],
      ['service time p99', `${formatMs(service.p99)} ms`],
      ['service time max', `${formatMs(service.max)} ms`],
    );
  }
  const generator = summary.generator;
  // The schedule check is the open model's; closed runs carry only the generator's own load.
  if (
    generator?.sendRatePlanned !== undefined &&
    generator.sendRateAchieved !== undefined &&
    generator.schedulingLagP99Ms !== undefined
  ) {
    throughput.push(
      ['planned send rate', `${formatRps(generator.sendRatePlanned)}/s`],
      [
        'achieved send rate',
        `${formatRps(generator.sendRateAchieved)}/s`,
        generator.suspect === true ? 'bad' : undefined,
      ],
      ['scheduling lag p99', `${formatMs(generator.schedulingLagP99Ms)} ms`],
    );
    if (generator.suspect === true)
      throughput.push([
        generator.verdict === undefined ? 'generator suspect' : `generator: ${generator.verdict}`,
        (generator.reasons ?? []).join('; '),
        'bad',
      ]);
  }
  const rate = errorRate(summary);
  const errors: Row[] = [
    ['total', formatCount(summary.errors.total), summary.errors.total > 0 ? 'bad' : undefined],
    ['error rate', rate === undefined ? '–' : formatPercent(rate)],
    ...errorKindsInOrder(summary.errors.byKind).map(([kind, n]): Row => [kind, formatCount(n)]),
  ];
  return `<section><h2>Summary</h2><div class="cards">
${table('Throughput', throughput)}
${table(latencyTitle, latencyRows)}
${table('Errors', errors)}
</div></section>`;
}

/** One chart panel: a heading, an optional control and a canvas. */
function panel(id: string, title: string, label: string, control = ''): string {
  return `<div class="chart-panel"><div class="chart-head"><h3>${escapeHtml(title)}</h3>${control}</div><div class="chart-box"><canvas id="${id}" aria-label="${escapeHtml(label)}"></canvas></div></div>`;
}

/**
 * The chart canvases: throughput and latency, the recommendations breaker and retries when the
 * service reports them, then the service's event loop, memory and GC, and pool, cache and
 * in-flight when the result has service telemetry; the percentile spectrum; and latency against
 * throughput. Every time chart shares one axis; a note stands in for the service charts when
 * there is no telemetry, and the breaker chart is simply left out when there is nothing to draw.
 */
export function chartsSection(result: ResultDocument): string {
  if (result.series.length === 0) {
    return '<section><h2>Over time</h2><p class="empty">No per-second data was recorded.</p></section>';
  }
  const presence = chartPresence(result.series);
  const breaker =
    presence.hasBreaker || presence.hasRetries
      ? panel(
          'breaker-chart',
          'Recommendations breaker and retries',
          'Circuit breaker state, retries per second and latency p99, per second',
        )
      : '';
  const service = presence.hasService
    ? [
        panel('eventloop-chart', 'Service event loop', 'Event-loop delay and utilisation per second'),
        panel('memory-chart', 'Service memory and GC', 'Heap, RSS and GC pause time per second'),
        panel(
          'pool-chart',
          'Pool, cache and in-flight',
          'Pool connections, cache reads and requests in flight per second',
        ),
      ].join('\n')
    : '<p class="empty">No service telemetry in this result: the service charts are left out.</p>';
  const scatter = presence.hasResponses
    ? `<section><h2>Latency versus throughput</h2>
${panel('latency-throughput-chart', 'Latency p50 and p99 against responses/s, one point a second', 'Each second’s latency p50 and p99 against its responses per second', '<label><input type="checkbox" id="latency-throughput-log"> log scale</label>')}
</section>`
    : '';
  return `<section><h2>Over time</h2>
${panel('throughput-chart', 'Throughput', 'Responses and errors per second')}
${panel('latency-chart', 'Latency', 'Latency percentiles per second', '<label><input type="checkbox" id="latency-log"> log scale</label>')}
${breaker}${breaker === '' ? '' : '\n'}${service}
</section>
<section><h2>Percentile spectrum</h2>
${panel('spectrum-chart', 'Latency by percentile, whole run', 'Latency at each percentile from p0 to p99.99, log scale')}
</section>${scatter === '' ? '' : `\n${scatter}`}`;
}

/** The fully resolved scenario as pretty JSON. */
export function scenarioSection(result: ResultDocument): string {
  return `<section><h2>Scenario (resolved)</h2><pre>${escapeHtml(JSON.stringify(result.scenario, null, 2))}</pre></section>`;
}

/** Where and on what the run happened, and the run's own times. */
export function environmentSection(result: ResultDocument): string {
  const env = result.environment;
  const rows: Row[] = [
    ['loadlab', env.loadlabVersion],
    ['Node.js', env.node],
    ['OS', env.os],
    ['CPU', `${env.cpuModel} × ${env.cpus}`],
    ['host', env.hostname],
  ];
  if (env.gitCommit !== undefined) rows.push(['git commit', env.gitCommit]);
  const run: Row[] = [
    ['target', result.target.url],
    ['target kind', result.target.kind],
    ['started', result.startedAt],
    ['ended', result.endedAt],
    ...result.phases.map((p): Row => [
      `phase ${p.name}`,
      `${formatSeconds(p.startS)} – ${formatSeconds(p.endS)}`,
    ]),
  ];
  if (result.abortReason !== undefined) run.push(['ended early because', result.abortReason]);
  const text = (rows: Row[]): Row[] => rows.map(([label, value]) => [label, value, 'text']);
  return `<section><h2>Environment</h2><div class="cards">
${table('Machine', text(rows))}
${table('Run', text(run))}
</div></section>`;
}
