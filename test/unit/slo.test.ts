import { describe, expect, it } from 'vitest';
import { allHeld, checkSlo, errorRate } from '../../src/analysis/index.js';
import type { Summary } from '../../src/results/types.js';
import type { Slo } from '../../src/scenario/schema.js';

function summary(overrides: {
  requests?: number;
  p50?: number;
  p99?: number;
  byKind?: Record<string, number>;
}): Summary {
  const byKind = overrides.byKind ?? {};
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  const requests = overrides.requests ?? 1000;
  return {
    requests,
    sent: requests + total,
    dropped: 0,
    inFlightAtStop: 0,
    errors: { total, byKind },
    rps: requests / 10,
    latencyMs: {
      p50: overrides.p50 ?? 4,
      p90: 8,
      p99: overrides.p99 ?? 12.3,
      p999: 30,
      max: 50,
      mean: 5,
      min: 1,
    },
    bytesRead: 0,
    durationS: 10,
  };
}

describe('checkSlo', () => {
  it.each<{ name: string; slo: Slo | undefined; summary: Summary; expected: ReturnType<typeof checkSlo> }>([
    { name: 'no SLO gives no checks', slo: undefined, summary: summary({}), expected: [] },
    { name: 'an empty SLO gives no checks', slo: {}, summary: summary({}), expected: [] },
    {
      name: 'p99 under its limit holds with the headroom as margin',
      slo: { p99Ms: 80 },
      summary: summary({ p99: 12.3 }),
      expected: [{ name: 'p99Ms', limit: 80, actual: 12.3, held: true, margin: 67.7 }],
    },
    {
      name: 'p99 over its limit fails with a negative margin',
      slo: { p99Ms: 80 },
      summary: summary({ p99: 95.1 }),
      expected: [{ name: 'p99Ms', limit: 80, actual: 95.1, held: false, margin: -15.1 }],
    },
    {
      name: 'p99 exactly at its limit holds',
      slo: { p99Ms: 80 },
      summary: summary({ p99: 80 }),
      expected: [{ name: 'p99Ms', limit: 80, actual: 80, held: true, margin: 0 }],
    },
    {
      name: 'p50 is checked against the median',
      slo: { p50Ms: 5 },
      summary: summary({ p50: 5.001 }),
      expected: [{ name: 'p50Ms', limit: 5, actual: 5.001, held: false, margin: -0.001 }],
    },
    {
      name: 'HTTP-status errors are responses: 10 of 1000 responses is 1%',
      slo: { errorRate: 0.01 },
      summary: summary({ requests: 1000, byKind: { '5xx': 6, '4xx': 4 } }),
      expected: [{ name: 'errorRate', limit: 0.01, actual: 0.01, held: true, margin: 0 }],
    },
    {
      name: 'transport errors add to the attempts: 5xx 5 + timeout 10 over 990 responses + 10 is 1.5%',
      slo: { errorRate: 0.01 },
      summary: summary({ requests: 990, byKind: { '5xx': 5, timeout: 10 } }),
      expected: [{ name: 'errorRate', limit: 0.01, actual: 0.015, held: false, margin: -0.005 }],
    },
    {
      name: 'resets, refused and other are transport errors too',
      slo: { errorRate: 0.5 },
      summary: summary({ requests: 2, byKind: { reset: 1, refused: 1, other: 2 } }),
      expected: [{ name: 'errorRate', limit: 0.5, actual: 4 / 6, held: false, margin: -0.166666667 }],
    },
    {
      name: 'only transport errors: latency has no data, the error rate is 100%',
      slo: { p99Ms: 80, errorRate: 0.01 },
      summary: summary({ requests: 0, byKind: { refused: 7 } }),
      expected: [
        { name: 'p99Ms', limit: 80, actual: 0, held: false, margin: 0, reason: 'not enough data' },
        { name: 'errorRate', limit: 0.01, actual: 1, held: false, margin: -0.99 },
      ],
    },
    {
      name: 'no responses and no errors: every check is "not enough data", never a pass',
      slo: { p99Ms: 80, p50Ms: 10, errorRate: 0.01 },
      summary: summary({ requests: 0 }),
      expected: [
        { name: 'p99Ms', limit: 80, actual: 0, held: false, margin: 0, reason: 'not enough data' },
        { name: 'p50Ms', limit: 10, actual: 0, held: false, margin: 0, reason: 'not enough data' },
        { name: 'errorRate', limit: 0.01, actual: 0, held: false, margin: 0, reason: 'not enough data' },
      ],
    },
    {
      name: 'checks come in the order p99, p50, error rate',
      slo: { errorRate: 0.01, p50Ms: 10, p99Ms: 80 },
      summary: summary({}),
      expected: [
        { name: 'p99Ms', limit: 80, actual: 12.3, held: true, margin: 67.7 },
        { name: 'p50Ms', limit: 10, actual: 4, held: true, margin: 6 },
        { name: 'errorRate', limit: 0.01, actual: 0, held: true, margin: 0.01 },
      ],
    },
  ])('$name', ({ slo, summary: s, expected }) => {
    expect(checkSlo(slo, s)).toEqual(expected);
  });

  it('judges latency over unanswered requests alone: they are in the latencies at their age', () => {
    const hung = { ...summary({ requests: 0, p99: 7000, byKind: { unanswered: 16 } }), unanswered: 16 };
    expect(checkSlo({ p99Ms: 250, errorRate: 0.01 }, hung)).toEqual([
      { name: 'p99Ms', limit: 250, actual: 7000, held: false, margin: -6750 },
      { name: 'errorRate', limit: 0.01, actual: 1, held: false, margin: -0.99 },
    ]);
  });

  it('says whether every check held', () => {
    expect(allHeld(checkSlo({ p99Ms: 80, errorRate: 0.01 }, summary({})))).toBe(true);
    expect(allHeld(checkSlo({ p99Ms: 10, errorRate: 0.01 }, summary({})))).toBe(false);
    expect(allHeld(checkSlo({ p99Ms: 80 }, summary({ requests: 0 })))).toBe(false);
  });
});

describe('errorRate', () => {
  it.each<{ requests: number; byKind: Record<string, number>; expected: number | undefined }>([
    { requests: 0, byKind: {}, expected: undefined },
    { requests: 100, byKind: {}, expected: 0 },
    { requests: 100, byKind: { '5xx': 1 }, expected: 0.01 },
    { requests: 90, byKind: { timeout: 10 }, expected: 0.1 },
    { requests: 0, byKind: { reset: 3 }, expected: 1 },
    { requests: 100, byKind: { unanswered: 300 }, expected: 0.75 },
    { requests: 0, byKind: { unanswered: 16 }, expected: 1 },
    { requests: 90, byKind: { '5xx': 10, unanswered: 10 }, expected: 0.2 },
  ])('is $expected for $requests responses and errors $byKind', ({ requests, byKind, expected }) => {
    expect(errorRate(summary({ requests, byKind }))).toBe(expected);
  });
});
