import { describe, expect, it } from 'vitest';
import type { RunningChild } from '../../src/lab/index.js';
import { startTelemetryCollector } from '../../src/lab/telemetry-collector.js';

/** A stand-in child whose IPC messages the test delivers by hand. */
function fakeChild() {
  const listeners = new Set<(m: unknown) => void>();
  const child = {
    onMessage(listener: (m: unknown) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as RunningChild;
  return { child, send: (m: unknown) => listeners.forEach((l) => l(m)), listeners };
}

const start = 1_700_000_000_000;
const message = (atMs: number, heapUsedBytes: number, intervalMs = 1000) => ({
  type: 'telemetry',
  atMs,
  intervalMs,
  sample: { heapUsedBytes },
});

describe('the telemetry collector', () => {
  it('puts each sample in the load second its interval midpoint falls in, and ignores other messages', async () => {
    const { child, send, listeners } = fakeChild();
    const collector = startTelemetryCollector({ child });
    send(message(start - 200, 1)); // midpoint before the load started: dropped
    send(message(start + 900, 2)); // [−100, 900) ms: midpoint 400 ms → second 0
    send(message(start + 1900, 3)); // second 1
    send(message(start + 1950, 4)); // also second 1 (jitter): second 2 had none, so it goes there
    send(message(start + 3950, 5, 1900)); // a late sample spanning [2050, 3950): midpoint 3000 → second 3
    send(message(start + 9000, 6)); // beyond the run: dropped
    send({ type: 'ready', url: 'http://x' });
    send({ type: 'telemetry', atMs: 'soon' });
    const aligned = collector.aligned(start, 5);
    expect([...aligned.entries()].map(([t, s]) => [t, s.heapUsedBytes])).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
      [3, 5],
    ]);
    expect(collector.info()).toEqual({ source: 'ipc', samples: 6 });
    await collector.stop();
    expect(listeners.size).toBe(0);
  });

  it('moves a sample that jitter put in an occupied second to the free neighbour, keeping every second filled', async () => {
    const { child, send } = fakeChild();
    const collector = startTelemetryCollector({ child });
    // A sampler every ~1 s whose ticks straddle the second edges: midpoints 0.5, 1.02, 1.98, 3.01,
    // 3.97, 5.3 s. Seconds 2 and 4 get none by their midpoints, seconds 1 and 3 two each.
    for (const [i, mid] of [500, 1020, 1980, 3010, 3970, 5300].entries()) send(message(start + mid + 500, i));
    const aligned = collector.aligned(start, 6);
    expect([...aligned.entries()].map(([t, s]) => [t, s.heapUsedBytes])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    await collector.stop();
  });

  it('moves an early extra sample back, keeps samples in time order, and drops one with no free neighbour', async () => {
    const { child, send } = fakeChild();
    const collector = startTelemetryCollector({ child });
    // Second 0 is free, second 1 got midpoints 1.03 and 1.6: the earlier goes back to 0.
    send(message(start + 1030 + 500, 10));
    send(message(start + 1600 + 500, 11));
    // Seconds 2, 3 and 4 hold one each and second 3 a second one: nowhere to go, the one nearer 3.5 stays.
    send(message(start + 2500 + 500, 12));
    send(message(start + 3100 + 500, 13));
    send(message(start + 3450 + 500, 14));
    send(message(start + 4500 + 500, 15));
    const aligned = collector.aligned(start, 5);
    expect([...aligned.entries()].map(([t, s]) => [t, s.heapUsedBytes])).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
      [3, 14],
      [4, 15],
    ]);
    await collector.stop();
  });

  it('says so when the service sent nothing', async () => {
    const { child } = fakeChild();
    const collector = startTelemetryCollector({ child });
    expect(collector.info()).toEqual({ source: 'ipc', samples: 0, note: 'the service sent no telemetry' });
    await collector.stop();
  });
});
