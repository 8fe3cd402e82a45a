import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadAggregate, splitPhases } from '../../src/load/index.js';
import { WindowRecorder } from '../../src/load/window-recorder.js';
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
  summarizeLatencyMs,
} from '../../src/metrics/index.js';
import { buildPlan, scenarioSchema, type RunPlan } from '../../src/scenario/index.js';

describe('WindowRecorder', () => {
  it('hands over each second once the clock has left it, and the rest on a final flush', () => {
    let now = 1_000_000;
    const rec = new WindowRecorder(1_000_000, () => now);
    rec.response(4.5, 100, undefined);
    rec.response(5.5, 100, '5xx');
    now += 1200;
    rec.failure('timeout');
    const first = rec.flush();
    expect(first.map((w) => w.t)).toEqual([0]);
    expect(first[0]).toMatchObject({ requests: 2, bytes: 200, errors: { '5xx': 1 } });
    expect(rec.flush()).toEqual([]);
    const rest = rec.flush(true);
    expect(rest.map((w) => w.t)).toEqual([1]);
    expect(rest[0]).toMatchObject({ requests: 0, errors: { timeout: 1 } });
  });

  it('records an unanswered request at its age, as an "unanswered" error and not as a response', () => {
    let now = 0;
    const rec = new WindowRecorder(0, () => now, 2);
    rec.response(3, 10, undefined, 2);
    now = 3400;
    rec.unanswered(2500, 2400);
    const windows = rec.flush(true);
    expect(windows.map((w) => [w.t, w.requests, w.unanswered, w.errors])).toEqual([
      [0, 1, undefined, {}],
      [2, 0, 1, { unanswered: 1 }],
    ]);
    const agg = new LoadAggregate();
    for (const w of windows) agg.add(w.t, w.histogram, w, w.serviceHistogram);
    expect(agg.requests).toBe(1);
    expect(agg.unanswered).toBe(1);
    expect(agg.errorsByKind).toEqual({ unanswered: 1 });
    expect(agg.total.totalCount).toBe(2);
    expect(summarizeLatencyMs(agg.total).max).toBeCloseTo(2500, -1);
    expect(summarizeLatencyMs(agg.serviceTotal ?? createLatencyHistogram()).max).toBeCloseTo(2400, -1);
    expect(agg.second(2)).toMatchObject({ requests: 0, unanswered: 1, errors: 1 });
  });

  it('files an answer in the second of the time its engine read, not of a later clock reading', () => {
    let now = 1_000_000 + 2_500;
    const rec = new WindowRecorder(1_000_000, () => now, 5);
    rec.response(2, 10, undefined, undefined, 1_999.9);
    rec.response(2, 10, undefined, undefined, 9_000);
    now += 5_000;
    expect(rec.flush(true).map((w) => [w.t, w.requests])).toEqual([
      [1, 1],
      [5, 1],
    ]);
  });

  it('counts answers that arrive after the run’s last second in that second', () => {
    let now = 0;
    const rec = new WindowRecorder(0, () => now, 1);
    now = 1500;
    rec.response(1, 1, undefined);
    now = 2100;
    rec.response(1, 1, undefined);
    expect(rec.flush(true).map((w) => [w.t, w.requests])).toEqual([[1, 2]]);
  });
});

describe('LoadAggregate', () => {
  it('merges windows from many workers exactly: totals and percentiles equal those of all values in one histogram', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5_000_000 })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 4 }),
        (samples, workers) => {
          let now = 0;
          const recorders = Array.from({ length: workers }, () => new WindowRecorder(0, () => now));
          const all = createLatencyHistogram();
          samples.forEach(([t, us], i) => {
            now = t * 1000 + 1;
            recorders[i % workers]?.response(us / 1000, 1, undefined);
            recordLatencyUs(all, us);
          });
          const agg = new LoadAggregate();
          for (const r of recorders) for (const w of r.flush(true)) agg.add(w.t, w.histogram, w);
          expect(agg.requests).toBe(samples.length);
          expect(summarizeLatencyMs(agg.total)).toEqual(summarizeLatencyMs(all));
          expect(agg.seconds().reduce((n, s) => n + s.requests, 0)).toBe(samples.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fills seconds no worker reported with zeros so the series has no holes', () => {
    let now = 0;
    const rec = new WindowRecorder(0, () => now);
    rec.response(1, 1, undefined);
    now = 2500;
    rec.response(1, 1, '4xx');
    const agg = new LoadAggregate();
    for (const w of rec.flush(true)) agg.add(w.t, w.histogram, w);
    expect(agg.seconds().map((s) => [s.t, s.requests, s.errors])).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [2, 1, 1],
    ]);
    expect(agg.errorsByKind).toEqual({ '4xx': 1 });
  });

  it('runs the series to the run’s last second when the last seconds had nothing to report', () => {
    let now = 0;
    const rec = new WindowRecorder(0, () => now);
    rec.response(1, 1, undefined);
    now = 1500;
    rec.response(1, 1, undefined);
    const agg = new LoadAggregate();
    for (const w of rec.flush(true)) agg.add(w.t, w.histogram, w);
    expect(agg.seconds(5).map((s) => [s.t, s.requests])).toEqual([
      [0, 1],
      [1, 1],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
    ]);
    // Never shorter than what was reported, and a run with no window at all still has its seconds.
    expect(agg.seconds(0)).toHaveLength(2);
    expect(new LoadAggregate().seconds(2).map((s) => s.t)).toEqual([0, 1, 2]);
    expect(new LoadAggregate().seconds()).toEqual([]);
  });
});

describe('splitPhases', () => {
  const plan: RunPlan = {
    model: 'closed',
    workers: 3,
    totalMs: 3000,
    phases: [
      { index: 0, name: 'a', startMs: 0, endMs: 1000, durationMs: 1000, connections: 10 },
      { index: 1, name: 'b', startMs: 1000, endMs: 3000, durationMs: 2000, connections: 2 },
    ],
  };

  it('splits each phase’s connections across workers as evenly as possible, losing none', () => {
    const shares = splitPhases(plan, 3);
    expect(shares.map((w) => w.map((p) => p.connections))).toEqual([
      [4, 1],
      [3, 1],
      [3, 0],
    ]);
    expect(shares[2]?.[1]).toMatchObject({ name: 'b', startMs: 1000, endMs: 3000 });
  });
});

describe('splitPhases in the open model', () => {
  it('gives every worker the whole rate: each sends its stripe of the arrivals', () => {
    const scenario = scenarioSchema.parse({
      name: 'x',
      load: {
        model: 'open',
        workers: 4,
        phases: [{ duration: 2, rate: { from: 100, to: 900 } }],
        requests: [{ path: '/' }],
      },
    });
    const shares = splitPhases(buildPlan(scenario), 4);
    expect(shares.map((s) => s[0]?.rate)).toEqual(Array(4).fill({ from: 100, to: 900 }));
    expect(shares.every((s) => s[0]?.connections === undefined)).toBe(true);
  });
});

describe('service time (open model)', () => {
  it('travels beside the latency in each window and is merged into its own total', () => {
    let now = 5_000_000;
    const rec = new WindowRecorder(5_000_000, () => now);
    rec.response(40, 10, undefined, 4);
    rec.response(30, 10, undefined, 3);
    now += 1000;
    const aggregate = new LoadAggregate();
    for (const w of rec.flush(true)) aggregate.add(w.t, w.histogram, w, w.serviceHistogram);
    expect(summarizeLatencyMs(aggregate.total).max).toBeCloseTo(40, 1);
    expect(summarizeLatencyMs(aggregate.serviceTotal ?? createLatencyHistogram()).max).toBeCloseTo(4, 2);
    expect(aggregate.second(0)?.serviceTimeMs?.p50).toBeCloseTo(3, 2);
  });

  it('is absent in the closed model', () => {
    const rec = new WindowRecorder(0, () => 10);
    rec.response(4, 10, undefined);
    const [w] = rec.flush(true);
    expect(w?.serviceHistogram).toBeUndefined();
    const aggregate = new LoadAggregate();
    aggregate.add(0, w!.histogram, w!);
    expect(aggregate.serviceTotal).toBeUndefined();
    expect(aggregate.second(0)).not.toHaveProperty('serviceTimeMs');
  });
});

describe('LoadAggregate.latencyBetween', () => {
  it('merges only the seconds asked for', () => {
    const aggregate = new LoadAggregate();
    for (const [t, us] of [
      [0, 90_000],
      [1, 4000],
      [2, 5000],
    ] as const) {
      const h = createLatencyHistogram();
      recordLatencyUs(h, us);
      aggregate.add(t, encodeHistogram(h), { requests: 1, errors: {}, bytes: 0 });
    }
    expect(aggregate.latencyBetween(1, 2).max).toBeCloseTo(5, 2);
    expect(aggregate.latencyBetween(0, 2).max).toBeCloseTo(90, 1);
    expect(aggregate.latencyBetween(5, 9).max).toBe(0);
  });
});
