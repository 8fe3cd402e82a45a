import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { checkSlo } from '../../src/analysis/index.js';
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
  summarizeLatencyMs,
} from '../../src/metrics/index.js';
import { formatSummary, renderReportHtml, reportDataElementId } from '../../src/report/index.js';
import type { ResultDocument, SeriesPoint } from '../../src/results/index.js';
import { scenarioSchema, type ScenarioInput } from '../../src/scenario/schema.js';

interface FixtureOptions {
  /** Latencies recorded into the real total histogram, in microseconds. */
  latenciesUs?: number[];
  points?: number;
  description?: string;
  phaseNames?: [string, string];
  slo?: ScenarioInput['slo'];
  byKind?: Record<string, number>;
  interrupted?: boolean;
}

/** A complete result document: real histogram, summary from it, SLO checks from the gate. */
function resultFixture(options: FixtureOptions = {}): ResultDocument {
  const latenciesUs = options.latenciesUs ?? [...Array<number>(98).fill(4231), 12_300, 12_300];
  const points = options.points ?? 30;
  const [warmup, steady] = options.phaseNames ?? ['warmup', 'steady'];
  const slo = 'slo' in options ? options.slo : { p99Ms: 80, errorRate: 0.05 };
  const scenario = scenarioSchema.parse({
    name: 'fixture-run',
    description: options.description ?? 'A fixture for the report tests.',
    load: {
      model: 'closed',
      phases: [
        { name: warmup, duration: '5s', connections: 2 },
        { name: steady, duration: points - 5, connections: 10 },
      ],
      requests: [{ path: '/users/{{uniform 1 100}}' }],
    },
    slo,
  } satisfies ScenarioInput);

  const histogram = createLatencyHistogram();
  for (const us of latenciesUs) recordLatencyUs(histogram, us);
  const byKind = options.byKind ?? { '5xx': 3, timeout: 1 };
  const errorsTotal = Object.values(byKind).reduce((a, b) => a + b, 0);
  const requests = latenciesUs.length;
  const summary: ResultDocument['summary'] = {
    requests,
    sent: requests + 2,
    dropped: 0,
    inFlightAtStop: 1,
    errors: { total: errorsTotal, byKind },
    rps: requests / points,
    latencyMs: summarizeLatencyMs(histogram),
    bytesRead: requests * 120,
    durationS: points,
  };
  const series: SeriesPoint[] = Array.from({ length: points }, (_, t) => ({
    t,
    requests: 100 + (t % 7),
    rps: 100 + (t % 7),
    errors: t % 10 === 0 ? 3 : 0,
    errorsByKind: t % 10 === 0 ? { '5xx': 2, timeout: 1 } : ({} as Record<string, number>),
    latencyMs: { p50: 4.231, p90: 6.5 + (t % 3), p99: 12.3 + t / 100, max: 20 + (t % 11) },
  }));
  return {
    schema: 'loadlab/result@1',
    startedAt: '2026-11-21T10:00:00.000Z',
    endedAt: `2026-11-21T10:${String(Math.floor(points / 60)).padStart(2, '0')}:${String(points % 60).padStart(2, '0')}.000Z`,
    interrupted: options.interrupted ?? false,
    ...(options.interrupted ? { abortReason: 'SIGINT' } : {}),
    scenario,
    target: { url: 'http://127.0.0.1:41234', kind: 'reference' },
    environment: {
      loadlabVersion: '0.1.0',
      node: 'v20.20.2',
      os: 'linux 6.1.0 x64',
      cpuModel: 'Test CPU @ 2.0GHz',
      cpus: 2,
      hostname: 'test-host',
      gitCommit: 'abc1234',
    },
    phases: [
      { name: warmup, startS: 0, endS: 5, connections: 2 },
      { name: steady, startS: 5, endS: points, connections: 10 },
    ],
    summary,
    slo: checkSlo(scenario.slo, summary),
    series,
    histogram: encodeHistogram(histogram),
  };
}

/** The UMD build as the report should inline it. */
function chartUmdText(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(entry), 'chart.umd.js'), 'utf8');
}

function embeddedData(html: string): unknown {
  const match = new RegExp(
    `<script type="application/json" id="${reportDataElementId}">([\\s\\S]*?)</script>`,
  ).exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!);
}

/** The visible page, without the inlined scripts, so failures print something readable. */
function pageOf(html: string): string {
  return html.slice(0, html.indexOf('<script'));
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('renderReportHtml', () => {
  it('inlines chart.js and loads nothing from the network', () => {
    const html = renderReportHtml(resultFixture());
    const umd = chartUmdText();
    expect(html).toContain(umd.slice(0, 50_000));
    expect(html).toContain(umd.slice(100_000, 200_000));
    expect(html).not.toContain('sourceMappingURL');
    expect(html).not.toMatch(/src="http/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?http/i);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'`);
  });

  it('embeds the series and phases as JSON that parses back unchanged', () => {
    const result = resultFixture();
    expect(embeddedData(renderReportHtml(result))).toMatchObject({
      series: result.series,
      phases: result.phases,
    });
  });

  it('keeps a "</script>" in the description and phase names from opening another script element', () => {
    const attack = '</script><script>alert(1)</script><!--';
    const plain = renderReportHtml(resultFixture());
    const hostile = renderReportHtml(
      resultFixture({ description: attack, phaseNames: [attack, `x${attack}`] }),
    );
    expect(countOf(plain, '<script')).toBe(3);
    expect(countOf(hostile, '<script')).toBe(countOf(plain, '<script'));
    expect(countOf(hostile, '</script')).toBe(3);
    expect(pageOf(hostile)).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const data = embeddedData(hostile) as { phases: { name: string }[] };
    expect(data.phases.map((p) => p.name)).toEqual([attack, `x${attack}`]);
  });

  it('shows the scenario name, the verdict and each SLO with its margin', () => {
    const held = pageOf(renderReportHtml(resultFixture()));
    expect(held).toContain('<title>fixture-run — loadlab report</title>');
    expect(held).toMatch(/<h1>fixture-run<\/h1>/);
    expect(held).toMatch(/class="verdict held"><strong>All 2 SLOs held<\/strong>/);
    expect(held).toContain('<li class="held">p99 12.3 ms ≤ 80 ms (67.7 ms headroom)</li>');

    const missed = pageOf(renderReportHtml(resultFixture({ latenciesUs: Array<number>(100).fill(95_100) })));
    expect(missed).toMatch(/class="verdict missed"><strong>1 of 2 SLOs missed<\/strong>/);
    expect(missed).toContain('<li class="missed">p99 95.1 ms &gt; 80 ms (missed by 15.1 ms)</li>');

    const none = pageOf(renderReportHtml(resultFixture({ slo: undefined })));
    expect(none).toMatch(/class="verdict"><strong>No SLOs set<\/strong><\/div>/);
  });

  it('lists the totals, percentiles, errors by kind and the interrupted flag in the summary tables', () => {
    const html = pageOf(
      renderReportHtml(resultFixture({ interrupted: true, byKind: { '5xx': 1200, refused: 4 } })),
    );
    for (const row of [
      ['responses', '100'],
      ['sent', '102'],
      ['in flight at stop', '1'],
      ['dropped', '0'],
      ['duration', '30 s'],
      ['p50', '4.23 ms'],
      ['p99', '12.3 ms'],
      ['p99.9', '12.3 ms'],
      ['5xx', '1,200'],
      ['refused', '4'],
    ]) {
      expect(html).toMatch(
        new RegExp(`<tr><th>${row[0]!.replace('.', '\\.')}</th><td[^>]*>${row[1]}</td></tr>`),
      );
    }
    expect(html).toMatch(/<tr><th>interrupted<\/th><td class="bad">yes<\/td><\/tr>/);
    expect(html).toContain('<span class="badge">interrupted: SIGINT</span>');
  });

  it('includes the resolved scenario and the environment, escaped', () => {
    const result = resultFixture({ description: 'a & b < c' });
    const html = pageOf(renderReportHtml(result));
    expect(html).toContain('&quot;description&quot;: &quot;a &amp; b &lt; c&quot;');
    expect(html).toContain('&quot;connections&quot;: 10');
    expect(html).toContain('<td class="text">Test CPU @ 2.0GHz × 2</td>');
    expect(html).toContain('<td class="text">abc1234</td>');
  });

  it('stays under 2 MB for a 600-second series', () => {
    const html = renderReportHtml(resultFixture({ points: 600 }));
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
  });

  it('draws both time charts on one time axis with window midpoints and shades each phase', () => {
    const result = resultFixture({ points: 20 });
    const html = renderReportHtml(result);
    const charts = runChartsScript(html);

    expect(charts.map((c) => c.id)).toEqual([
      'throughput-chart',
      'latency-chart',
      'latency-throughput-chart',
    ]);
    // Without service telemetry there is no breaker chart, and no note about one.
    expect(pageOf(html)).not.toContain('breaker-chart');
    for (const { config } of charts.slice(0, 2)) {
      expect(config.options.scales.x).toMatchObject({ type: 'linear', min: 0, max: 20 });
    }
    const [throughput, latency] = charts.map((c) => c.config);
    expect(throughput!.data.datasets.map((d) => d.label)).toEqual(['responses/s', 'errors/s']);
    expect(throughput!.data.datasets[0]!.data[3]).toEqual({ x: 3.5, y: result.series[3]!.rps });
    expect(latency!.data.datasets.map((d) => d.label)).toEqual(['p50', 'p90', 'p99', 'max']);
    expect(latency!.data.datasets[2]!.data[7]).toEqual({ x: 7.5, y: result.series[7]!.latencyMs.p99 });

    const filled: number[][] = [];
    const labels: string[] = [];
    const noop = (): void => undefined;
    const ctx = {
      save: noop,
      restore: noop,
      beginPath: noop,
      rect: noop,
      clip: noop,
      fillRect: (x: number, y: number, w: number, h: number) => filled.push([x, y, w, h]),
      fillText: (text: string) => labels.push(text),
    };
    const plugin = throughput!.plugins.find((p) => p.id === 'phaseBands')!;
    plugin.beforeDatasetsDraw({
      ctx,
      chartArea: { left: 50, right: 250, top: 10, bottom: 110 },
      scales: { x: { getPixelForValue: (s: number) => 50 + s * 10 } },
    });
    expect(filled).toEqual([
      [50, 10, 50, 100],
      [100, 10, 150, 100],
    ]);
    expect(labels).toEqual(['warmup', 'steady']);
  });

  it('plots every second’s p50 and p99 against its responses/s', () => {
    const result = resultFixture({ points: 20 });
    const scatter = runChartsScript(renderReportHtml(result)).find(
      (c) => c.id === 'latency-throughput-chart',
    )!;
    const [p50, p99] = scatter.config.data.datasets;
    expect([p50!.label, p99!.label]).toEqual(['p50', 'p99']);
    expect(p50!.data).toHaveLength(20);
    expect(p99!.data[7]).toEqual({ x: result.series[7]!.rps, y: result.series[7]!.latencyMs.p99, t: 7 });
    expect(pageOf(renderReportHtml(result))).toContain('<h2>Latency versus throughput</h2>');
  });

  it('names the window and the errors by kind in the throughput tooltip', () => {
    const [throughput] = runChartsScript(renderReportHtml(resultFixture({ points: 20 }))).map(
      (c) => c.config,
    );
    const { title, label } = throughput!.options.plugins.tooltip.callbacks;
    const [responses, errors] = throughput!.data.datasets;
    expect(title([{ dataIndex: 10 }])).toBe('10–11 s');
    expect(label({ dataset: errors!, dataIndex: 10, formattedValue: '3' })).toBe(
      'errors/s: 3 (5xx 2, timeout 1)',
    );
    expect(label({ dataset: errors!, dataIndex: 11, formattedValue: '0' })).toBe('errors/s: 0');
    expect(label({ dataset: responses!, dataIndex: 10, formattedValue: '103' })).toBe('responses/s: 103');
  });
});

interface FakeDataset {
  label: string;
  yAxisID?: string;
  data: { x: number; y: number }[];
}

interface FakeChartConfig {
  data: { datasets: FakeDataset[] };
  plugins: { id: string; beforeDatasetsDraw(chart: unknown): void }[];
  options: {
    scales: Record<string, Record<string, unknown>>;
    plugins: {
      tooltip: {
        callbacks: {
          title(items: { dataIndex: number }[]): string;
          label(item: { dataset: FakeDataset; dataIndex: number; formattedValue: string }): string;
        };
      };
    };
  };
}

/** Runs the report's own script (the last one) against a stand-in Chart and DOM; returns the charts made. */
function runChartsScript(html: string): { id: string; config: FakeChartConfig }[] {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const charts: { id: string; config: FakeChartConfig }[] = [];
  const elements: Record<string, unknown> = {
    [reportDataElementId]: { textContent: JSON.stringify(embeddedData(html)) },
    'throughput-chart': { id: 'throughput-chart' },
    'latency-chart': { id: 'latency-chart' },
    'latency-log': { addEventListener: () => undefined },
    'latency-throughput-chart': { id: 'latency-throughput-chart' },
  };
  class FakeChart {
    constructor(canvas: { id: string }, config: FakeChartConfig) {
      charts.push({ id: canvas.id, config });
    }
  }
  runInNewContext(scripts.at(-1)!, {
    Chart: FakeChart,
    window: {},
    document: { getElementById: (id: string) => elements[id] },
  });
  return charts;
}

describe('formatSummary', () => {
  it('prints the SLO verdicts with their headroom or miss', () => {
    const held = formatSummary(resultFixture(), { color: false });
    expect(held).toContain('✔ p99 12.3 ms ≤ 80 ms (67.7 ms headroom)');
    expect(held).toContain('✔ error rate 3.96% ≤ 5% (1.04% headroom)');

    const missed = formatSummary(
      resultFixture({ latenciesUs: Array<number>(100).fill(95_100), byKind: { '5xx': 10, timeout: 2 } }),
      { color: false },
    );
    expect(missed).toContain('✘ p99 95.1 ms > 80 ms (missed by 15.1 ms)');
    expect(missed).toContain('✘ error rate 11.8% > 5% (missed by 6.76%)');

    const clean = formatSummary(resultFixture({ byKind: {} }), { color: false });
    expect(clean).toContain('✔ error rate 0% ≤ 5% (5% headroom)');
  });

  it('says "not enough data" rather than passing a run without responses', () => {
    const text = formatSummary(resultFixture({ latenciesUs: [], byKind: {} }), { color: false });
    expect(text).toContain('✘ p99: not enough data (limit 80 ms)');
    expect(text).toContain('✘ error rate: not enough data (limit 5%)');
    expect(text).toContain('  latency     no responses');
  });

  it('lays out requests, latency percentiles, errors by kind and in-flight requests as aligned rows', () => {
    const text = formatSummary(resultFixture({ interrupted: true }), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('fixture-run · 30 s · http://127.0.0.1:41234 (reference) · interrupted (SIGINT)');
    expect(lines).toContain('  requests    100 (3.3/s)');
    expect(lines).toContain('  sent        102   dropped 0   in flight at stop 1');
    const header = lines.find((l) => l.startsWith('  latency'))!;
    const values = lines[lines.indexOf(header) + 1]!;
    expect(values.startsWith('  (ms)')).toBe(true);
    for (const [name, value] of [
      ['p50', '4.23'],
      ['p99', '12.3'],
      ['p99.9', '12.3'],
      ['max', '12.3'],
    ] as const) {
      expect(values.slice(header.indexOf(` ${name} `) + 1).startsWith(value)).toBe(true);
    }
    expect(lines).toContain('  errors      4 (3.96%)   5xx 3   timeout 1');
    expect(text.endsWith('\n')).toBe(false);
    expect(text).not.toMatch(/index\.html|result\.json/);
  });

  it('adds the service time and the generator’s check for an open-model result', () => {
    const result = resultFixture();
    result.summary.dropped = 7;
    result.summary.serviceTimeMs = { ...result.summary.latencyMs, p50: 3.9, p99: 9.5 };
    result.summary.generator = {
      schedulingLagP99Ms: 2.5,
      sendRatePlanned: 500,
      sendRateAchieved: 480,
      suspect: true,
      reasons: ['scheduling lag p99 2.5 ms is over 1 ms'],
    };
    const lines = formatSummary(result, { color: false }).split('\n');
    expect(lines).toContain('  sent        102   dropped 7   in flight at stop 1');
    const header = lines.find((l) => l.startsWith('  latency'))!;
    const service = lines.find((l) => l.startsWith('  service'))!;
    expect(service.slice(header.indexOf(' p50 ') + 1).startsWith('3.9')).toBe(true);
    expect(service.slice(header.indexOf(' p99 ') + 1).startsWith('9.5')).toBe(true);
    expect(lines.find((l) => l.startsWith('  generator'))).toBe(
      '  generator   lag p99 2.5 ms · sent 480/s of 500/s planned · suspect: scheduling lag p99 2.5 ms is over 1 ms',
    );
    const html = renderReportHtml(result);
    expect(html).toContain('Latency (from the due time)');
    expect(html).toContain('service time p99');
    expect(html).toContain('generator suspect');
  });

  it('uses ANSI colour only when asked to', () => {
    const result = resultFixture();
    expect(formatSummary(result, { color: false })).not.toContain('\x1b[');
    const coloured = formatSummary(result, { color: true });
    expect(coloured).toContain('\x1b[32m✔\x1b[0m p99 12.3 ms');
    expect(coloured).toContain('\x1b[32m✔\x1b[0m error rate');
    const failing = formatSummary(resultFixture({ latenciesUs: [95_100] }), { color: true });
    expect(failing).toContain('\x1b[31m✘\x1b[0m p99 95.1 ms');
  });
});
