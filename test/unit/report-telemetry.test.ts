import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { analyseResult } from '../../src/analysis/index.js';
import { formatSummary, renderReportHtml, reportDataElementId } from '../../src/report/index.js';
import type { ReportChartData } from '../../src/report/index.js';
import { healthyService, syntheticResult } from '../helpers/synthetic-result.js';

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

interface MadeChart {
  id: string;
  config: {
    data: { datasets: { label: string; data: { x: number; y: number | null }[] }[] };
    plugins?: { id: string; beforeDatasetsDraw(chart: unknown): void }[];
    options: { scales: Record<string, Record<string, unknown>> };
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

describe('the report of a run with service telemetry', () => {
  it('stays under 2 MB for a 10-minute run with every service figure', () => {
    const html = renderReportHtml(tenMinuteRun());
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
  });

  it('draws six charts, every time chart on the same 0–600 s axis with phases and fault windows shaded', () => {
    const charts = runCharts(renderReportHtml(tenMinuteRun()));
    expect(charts.map((c) => c.id)).toEqual([
      'throughput-chart',
      'latency-chart',
      'spectrum-chart',
      'eventloop-chart',
      'memory-chart',
      'pool-chart',
    ]);
    for (const c of charts.filter((c) => c.id !== 'spectrum-chart')) {
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
    expect(runCharts(html).map((c) => c.id)).toEqual(['throughput-chart', 'latency-chart', 'spectrum-chart']);
    expect(html).toContain('<li class="finding not-enough-data" data-rule="gc-pauses">');
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
