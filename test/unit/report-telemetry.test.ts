import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { analyseResult } from '../../src/analysis/index.js';
import { formatSummary, renderReportHtml, reportDataElementId } from '../../src/report/index.js';
import type { ReportChartData } from '../../src/report/index.js';
import { breakerService, healthyService, syntheticResult } from '../helpers/synthetic-result.js';

const faults = [{ on: 'db', kind: 'latency', startS: 200, endS: 260 }];

/** A 10-minute run: service telemetry every second, a db fault at 200–260 s that moves p99. */
function tenMinuteRun() {
  const result = syntheticResult({
    seconds: 600,
    service: healthyService,
    generator: (t) => ({ elu: 0.4 + (t % 5) / 100, cpuPct: 45 }),
    p99: (t) => (t >= 200 && t < 260 ? 90 : 12),
    faults,
  });
  result.telemetry = { source: 'ipc', samples: 600 };
  result.findings = analyseResult(result);
  return result;
}

function embeddedData(html: string): ReportChartData {
  const match = new RegExp(
    `<script type="application/json" id="${reportDataElementId}">([\\s\\S]*?)</script>`,
  ).exec(html);
  return JSON.parse(match![1]!) as ReportChartData;
}

interface MadeDataset {
  label: string;
  yAxisID?: string;
  data: { x: number; y: number | null; t?: number }[];
}

interface MadeChart {
  id: string;
  config: {
    type: string;
    data: { datasets: MadeDataset[] };
    plugins?: { id: string; beforeDatasetsDraw(chart: unknown): void }[];
    options: {
      scales: Record<string, Record<string, unknown>>;
      layout?: { padding: { right: number } };
      plugins: {
        tooltip: {
          callbacks: {
            title(items: { dataIndex: number; raw?: unknown }[]): string;
            label(item: {
              dataset: MadeDataset;
              dataIndex: number;
              formattedValue: string;
              raw?: unknown;
            }): string;
          };
        };
      };
    };
  };
}

/** Runs the report's own script against a stand-in Chart and DOM that has every canvas of the page. */
function runCharts(html: string): MadeChart[] {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const ids = [...html.matchAll(/<canvas id="([^"]+)"/g)].map((m) => m[1]!);
  const elements: Record<string, unknown> = {
    [reportDataElementId]: { textContent: JSON.stringify(embeddedData(html)) },
    'latency-log': { addEventListener: () => undefined },
  };
  for (const id of ids) elements[id] = { id };
  const made: MadeChart[] = [];
  class FakeChart {
    constructor(canvas: { id: string }, config: MadeChart['config']) {
      made.push({ id: canvas.id, config });
    }
  }
  runInNewContext(scripts.at(-1)!, {
    Chart: FakeChart,
    window: {},
    document: { getElementById: (id: string) => elements[id] },
  });
  return made;
}

/** The charts whose x axis is not time. */
const notTimeCharts = ['spectrum-chart', 'latency-throughput-chart'];

describe('the report of a run with service telemetry', () => {
  it('stays under 2 MB for a 10-minute run with every service figure', () => {
    const html = renderReportHtml(tenMinuteRun());
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
  });

  it('draws seven charts, every time chart on the same 0–600 s axis with phases and fault windows shaded', () => {
    const charts = runCharts(renderReportHtml(tenMinuteRun()));
    expect(charts.map((c) => c.id)).toEqual([
      'throughput-chart',
      'latency-chart',
      'spectrum-chart',
      'latency-throughput-chart',
      'eventloop-chart',
      'memory-chart',
      'pool-chart',
    ]);
    for (const c of charts.filter((c) => !notTimeCharts.includes(c.id))) {
      expect(c.config.options.scales.x).toMatchObject({ type: 'linear', min: 0, max: 600 });
      expect(c.config.plugins?.map((p) => p.id)).toEqual(['phaseBands', 'faultBands']);
    }
    const byId = Object.fromEntries(charts.map((c) => [c.id, c.config]));
    const eventLoop = byId['eventloop-chart']!.data.datasets.find((d) => d.label === 'delay p99 (ms)')!;
    expect(eventLoop.data[13]).toEqual({ x: 13.5, y: healthyService(13).eventLoopDelayMs!.p99 });
    const heap = byId['memory-chart']!.data.datasets.find((d) => d.label === 'heap used (MB)')!;
    expect(heap.data[7]!.y).toBeCloseTo(healthyService(7).heapUsedBytes! / 1048576, 9);
    const labels = byId['pool-chart']!.data.datasets.map((d) => d.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'pool waiting',
        'cache hit/s',
        'cache miss/s',
        'cache coalesced/s',
        'in flight',
      ]),
    );
  });

  it('shades the fault window where its seconds are on the latency chart and records the box drawn', () => {
    const latency = runCharts(renderReportHtml(tenMinuteRun())).find((c) => c.id === 'latency-chart')!;
    const plugin = latency.config.plugins!.find((p) => p.id === 'faultBands')!;
    const filled: number[][] = [];
    const noop = (): void => undefined;
    const chart: Record<string, unknown> = {
      ctx: {
        save: noop,
        restore: noop,
        beginPath: noop,
        rect: noop,
        clip: noop,
        moveTo: noop,
        lineTo: noop,
        stroke: noop,
        fillRect: (x: number, y: number, w: number, h: number) => filled.push([x, y, w, h]),
        fillText: noop,
      },
      chartArea: { left: 40, right: 640, top: 10, bottom: 210 },
      scales: { x: { getPixelForValue: (s: number) => 40 + s } },
    };
    plugin.beforeDatasetsDraw(chart);
    expect(filled).toEqual([[240, 10, 60, 200]]);
    expect(chart.$loadlabFaultBoxes).toEqual([
      { label: 'db latency', startS: 200, endS: 260, left: 240, right: 300 },
    ]);
  });

  it('embeds a percentile spectrum from p0 to p99.99 that never falls', () => {
    const { spectrum } = embeddedData(renderReportHtml(tenMinuteRun()));
    expect(spectrum[0]).toMatchObject({ percentile: 0, x: 1 });
    expect(spectrum.at(-1)).toMatchObject({ percentile: 99.99, x: 10000 });
    for (let i = 1; i < spectrum.length; i++)
      expect(spectrum[i]!.ms).toBeGreaterThanOrEqual(spectrum[i - 1]!.ms);
  });

  it('puts the findings with their numbers near the top, found ones first', () => {
    const html = renderReportHtml(tenMinuteRun());
    const page = html.slice(0, html.indexOf('<script'));
    expect(page.indexOf('id="findings"')).toBeLessThan(page.indexOf('<h2>Summary</h2>'));
    expect(page).toMatch(/<li class="finding found" data-rule="fault-latency">.*p99 90 ms \(7\.5×\)/);
    expect(page).toContain('event-loop delay p99 &gt; 100 ms in a second');
    expect(page).toContain('<h2>Service · sampled in-process, 600 samples</h2>');
  });
});

describe('the report of a result without service telemetry (older results)', () => {
  it('leaves the service charts out with a note and still answers each rule', () => {
    const result = syntheticResult({ seconds: 30 });
    const html = renderReportHtml(result);
    expect(html).toContain('No service telemetry in this result');
    expect(runCharts(html).map((c) => c.id)).toEqual([
      'throughput-chart',
      'latency-chart',
      'spectrum-chart',
      'latency-throughput-chart',
    ]);
    expect(html).toContain('<li class="finding not-enough-data" data-rule="gc-pauses">');
  });
});

/** A 2-minute run whose recommendations fail over 40–70 s: the breaker opens at 42 s, half-opens at 70 s. */
function breakerRun(service = breakerService(40, 70)) {
  return syntheticResult({
    seconds: 120,
    service,
    faults: [{ on: 'recommendations', kind: 'http', startS: 40, endS: 70 }],
    p99: (t) => (t >= 40 && t < 70 ? 150 : 12),
    requests: (t) => (t >= 40 && t < 70 ? 600 : t === 100 ? 0 : 1000 + (t % 7)),
  });
}

describe('the recommendations breaker and retries chart', () => {
  it('draws the breaker state as a step (open highest), retries/s and p99 on the shared time axis, right below the latency', () => {
    const html = renderReportHtml(breakerRun());
    const charts = runCharts(html);
    expect(charts.map((c) => c.id).slice(0, 3)).toEqual([
      'throughput-chart',
      'latency-chart',
      'breaker-chart',
    ]);
    const page = html.slice(0, html.indexOf('<script'));
    expect(page.indexOf('id="breaker-chart"')).toBeGreaterThan(page.indexOf('id="latency-chart"'));
    expect(page.indexOf('id="breaker-chart"')).toBeLessThan(page.indexOf('id="eventloop-chart"'));
    const breaker = charts.find((c) => c.id === 'breaker-chart')!.config;
    expect(breaker.options.scales.x).toMatchObject({ type: 'linear', min: 0, max: 120 });
    expect(breaker.plugins?.map((p) => p.id)).toEqual(['phaseBands', 'faultBands']);
    const [state, retries, p99] = breaker.data.datasets;
    expect([state!.label, retries!.label, p99!.label]).toEqual([
      'breaker state',
      'retries/s',
      'latency p99 (ms)',
    ]);
    // Rows: closed 0, half-open 1, open 2; each second plotted at its middle.
    expect(state!.data[30]).toEqual({ x: 30.5, y: 0 });
    expect(state!.data[41]).toEqual({ x: 41.5, y: 0 });
    expect(state!.data[42]).toEqual({ x: 42.5, y: 2 });
    expect(state!.data[69]).toEqual({ x: 69.5, y: 2 });
    expect(state!.data[70]).toEqual({ x: 70.5, y: 1 });
    expect(state!.data[71]).toEqual({ x: 71.5, y: 0 });
    expect(retries!.yAxisID).toBe('y1');
    expect(retries!.data[40]).toEqual({ x: 40.5, y: 40 });
    expect(retries!.data[50]).toEqual({ x: 50.5, y: 5 });
    expect(p99!.data[50]).toEqual({ x: 50.5, y: 150 });
    expect(p99!.data[100]!.y).toBeNull(); // a second without responses has no latency: a gap
    const { label, title } = breaker.options.plugins.tooltip.callbacks;
    expect(title([{ dataIndex: 50 }])).toBe('50–51 s');
    expect(label({ dataset: state!, dataIndex: 50, formattedValue: '2' })).toBe('breaker: open');
    expect(label({ dataset: state!, dataIndex: 70, formattedValue: '1' })).toBe('breaker: half-open');
    expect(label({ dataset: retries!, dataIndex: 50, formattedValue: '5' })).toBe('retries/s: 5');
    const ticks = breaker.options.scales.y!.ticks as { callback(v: number): string };
    expect([0, 1, 2].map((v) => ticks.callback(v))).toEqual(['closed', 'half-open', 'open']);
  });

  it('gives the breaker chart the same plot width as every other time chart (axis widths plus padding)', () => {
    const charts = runCharts(renderReportHtml(breakerRun())).filter((c) => !notTimeCharts.includes(c.id));
    const widths = charts.map((c) => {
      const scales = Object.entries(c.config.options.scales).filter(([key]) => key !== 'x');
      const fitted = scales.map(([, scale]) => {
        const fit = { width: 0 };
        (scale.afterFit as (s: { width: number }) => void)(fit);
        return fit.width;
      });
      return fitted.reduce((a, b) => a + b, 0) + c.config.options.layout!.padding.right;
    });
    expect(charts.map((c) => c.id)).toContain('breaker-chart');
    expect(new Set(widths).size).toBe(1);
  });

  it('draws what there is: only the state, or only retries (then on the left axis)', () => {
    const only = (keep: 'breakerState' | 'retries') => (t: number) => {
      const { breakerState, retries, ...rest } = breakerService(40, 70)(t);
      return keep === 'breakerState' ? { ...rest, breakerState } : { ...rest, retries };
    };
    const stateOnly = runCharts(renderReportHtml(breakerRun(only('breakerState')))).find(
      (c) => c.id === 'breaker-chart',
    )!;
    expect(stateOnly.config.data.datasets.map((d) => d.label)).toEqual(['breaker state', 'latency p99 (ms)']);
    const retriesOnly = runCharts(renderReportHtml(breakerRun(only('retries')))).find(
      (c) => c.id === 'breaker-chart',
    )!;
    expect(retriesOnly.config.data.datasets.map((d) => [d.label, d.yAxisID])).toEqual([
      ['retries/s', 'y'],
      ['latency p99 (ms)', 'y2'],
    ]);
  });

  it('is left out, with nothing said against it, when no second has a breaker state or retries (a --target without them)', () => {
    for (const result of [
      syntheticResult({ seconds: 30, service: healthyService }),
      syntheticResult({ seconds: 30 }),
    ]) {
      const html = renderReportHtml(result);
      // Up to the resolved scenario, which names the service's breaker knobs.
      const page = html.slice(0, html.indexOf('<h2>Scenario')).toLowerCase();
      expect(page.includes('breaker'), 'the page mentions a breaker').toBe(false);
      expect(page.includes('retries'), 'the page mentions retries').toBe(false);
      expect(runCharts(html).map((c) => c.id)).not.toContain('breaker-chart');
      expect(embeddedData(html)).toMatchObject({ hasBreaker: false, hasRetries: false });
    }
  });
});

describe('the latency-versus-throughput chart', () => {
  it('plots each second with responses at its responses/s against its p50 and p99, fault seconds apart', () => {
    const result = breakerRun();
    const html = renderReportHtml(result);
    const scatter = runCharts(html).find((c) => c.id === 'latency-throughput-chart')!.config;
    expect(scatter.type).toBe('scatter');
    expect(scatter.plugins).toBeUndefined(); // not a time chart: no phase or fault bands
    const byLabel = Object.fromEntries(scatter.data.datasets.map((d) => [d.label, d.data]));
    expect(Object.keys(byLabel)).toEqual(['p50', 'p99', 'p50, in a fault window', 'p99, in a fault window']);
    // 120 seconds: 30 in the fault window, one (t = 100) without responses, left out.
    expect(byLabel.p99).toHaveLength(89);
    expect(byLabel['p99, in a fault window']).toHaveLength(30);
    expect(byLabel.p99!.find((d) => d.t === 100)).toBeUndefined();
    const at = (label: string, t: number) => byLabel[label]!.find((d) => d.t === t);
    const s = result.series;
    expect(at('p50', 12)).toEqual({ x: s[12]!.rps, y: s[12]!.latencyMs.p50, t: 12 });
    expect(at('p99', 12)).toEqual({ x: s[12]!.rps, y: s[12]!.latencyMs.p99, t: 12 });
    expect(at('p99, in a fault window', 55)).toEqual({ x: 600, y: 150, t: 55 });
    expect(scatter.options.scales.x).toMatchObject({ type: 'linear' });
    const { title, label } = scatter.options.plugins.tooltip.callbacks;
    const raw = at('p99, in a fault window', 55)!;
    expect(title([{ dataIndex: 0, raw }])).toBe('55–56 s');
    expect(label({ dataset: scatter.data.datasets[3]!, dataIndex: 0, formattedValue: '150', raw })).toBe(
      'p99, in a fault window: 150 ms at 600 responses/s',
    );
  });

  it('has no fault series when the run had no fault window, and no chart when no second had a response', () => {
    const plain = runCharts(renderReportHtml(syntheticResult({ seconds: 30 }))).find(
      (c) => c.id === 'latency-throughput-chart',
    )!;
    expect(plain.config.data.datasets.map((d) => [d.label, d.data.length])).toEqual([
      ['p50', 30],
      ['p99', 30],
    ]);
    const silent = renderReportHtml(syntheticResult({ seconds: 30, requests: () => 0 }));
    expect(silent.slice(0, silent.indexOf('<script')).includes('latency-throughput-chart')).toBe(false);
    expect(runCharts(silent).map((c) => c.id)).not.toContain('latency-throughput-chart');
  });
});

describe('the terminal summary', () => {
  it('lists what was found with its numbers, and counts the rest', () => {
    const text = formatSummary(tenMinuteRun(), { color: false });
    expect(text).toContain(
      '  findings    ! Latency moved with the faults: db latency (200–260 s): p50 2.1 ms (1×), p99 90 ms (7.5×)',
    );
    // busy-host has no open-model schedule check to read in this closed run.
    expect(text).toContain('4 clear, 1 without enough data');
  });
});
