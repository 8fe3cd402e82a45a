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
    send(message(start + 1950, 4)); // also second 1 (jitter): the first one stays
    send(message(start + 3950, 5, 1900)); // a late sample spanning [2050, 3950): midpoint 3000 → second 3
    send(message(start + 9000, 6)); // beyond the run: dropped
    send({ type: 'ready', url: 'http://x' });
    send({ type: 'telemetry', atMs: 'soon' });
    const aligned = collector.aligned(start, 5);
    expect([...aligned.entries()].map(([t, s]) => [t, s.heapUsedBytes])).toEqual([
      [0, 2],
      [1, 3],
      [3, 5],
    ]);
    expect(collector.info()).toEqual({ source: 'ipc', samples: 6 });
    await collector.stop();
    expect(listeners.size).toBe(0);
  });

  it('says so when the service sent nothing', async () => {
    const { child } = fakeChild();
    const collector = startTelemetryCollector({ child });
    expect(collector.info()).toEqual({ source: 'ipc', samples: 0, note: 'the service sent no telemetry' });
    await collector.stop();
  });
});
