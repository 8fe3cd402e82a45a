import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadAggregate, splitPhases } from '../../src/load/index.js';
import { WindowRecorder } from '../../src/load/window-recorder.js';
import { createLatencyHistogram, recordLatencyUs, summarizeLatencyMs } from '../../src/metrics/index.js';
import type { RunPlan } from '../../src/scenario/index.js';

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
