import { describe, expect, it } from 'vitest';
import { withWindowFigures, windowFigures } from '../../src/lab/window-figures.js';
import { LoadAggregate } from '../../src/load/index.js';
import { WindowRecorder } from '../../src/load/window-recorder.js';
import { createLatencyHistogram, recordLatencyUs, summarizeLatencyMs } from '../../src/metrics/index.js';
import type { FaultRecord } from '../../src/results/index.js';
import { scenarioSchema } from '../../src/scenario/index.js';

/** 10 seconds: 10 responses a second at (t + 1) ms, and one 5xx in second 6. */
function aggregate(): LoadAggregate {
  let now = 0;
  const rec = new WindowRecorder(0, () => now);
  for (let t = 0; t < 10; t++) {
    now = t * 1000 + 10;
    for (let i = 0; i < 10; i++) rec.response(t + 1, 10, t === 6 && i === 0 ? '5xx' : undefined);
  }
  const agg = new LoadAggregate();
  for (const w of rec.flush(true)) agg.add(w.t, w.histogram, w);
  return agg;
}

describe('window figures', () => {
  it('merge the exact latency and the counts of seconds fromS..toS−1', () => {
    const f = windowFigures(aggregate(), 5, 8);
    const exact = createLatencyHistogram();
    for (const t of [5, 6, 7]) for (let i = 0; i < 10; i++) recordLatencyUs(exact, (t + 1) * 1000);
    expect(f).toEqual({
      fromS: 5,
      toS: 8,
      requests: 30,
      errors: { total: 1, byKind: { '5xx': 1 } },
      latencyMs: summarizeLatencyMs(exact),
    });
  });

  it('an empty window has no requests and zero latency', () => {
    expect(windowFigures(aggregate(), 4, 4)).toMatchObject({ requests: 0, latencyMs: { p99: 0 } });
  });

  it('round windows to whole seconds: a fault applied 20 ms into second 4 owns second 4', () => {
    const scenario = scenarioSchema.parse({
      name: 's',
      load: {
        model: 'closed',
        phases: [{ name: 'all', duration: 10, connections: 1 }],
        requests: [{ path: '/' }],
      },
      faults: [{ at: 4, for: 3, on: 'db', latency: { latency: 50 } }],
      slo: [{ after: 'fault:db-latency', for: '2s', p99Ms: 5 }],
    });
    const fault = {
      name: 'db-latency',
      on: 'db',
      kind: 'latency',
      attributes: {},
      stream: 'downstream',
      toxicity: 1,
      startS: 4.02,
      endS: 7.001,
      plannedStartS: 4,
      plannedEndS: 7,
    } satisfies FaultRecord;
    const { phases, faults } = withWindowFigures(
      aggregate(),
      scenario,
      [{ name: 'all', startS: 0, endS: 10 }],
      [fault],
      10,
    );
    expect(phases[0]?.figures).toMatchObject({ fromS: 0, toS: 10, requests: 100 });
    expect(faults[0]?.figures).toMatchObject({
      fromS: 4,
      toS: 7,
      requests: 30,
      latencyMs: { min: 5 },
    });
    expect(faults[0]?.figures?.latencyMs.max).toBeCloseTo(7, 1);
    expect(faults[0]?.afterFigures).toMatchObject({ fromS: 7, toS: 10, requests: 30 });
    expect(faults[0]?.afterFiguresFor?.['2']).toMatchObject({ fromS: 7, toS: 9, requests: 20 });
  });
});
