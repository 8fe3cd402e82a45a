/**
 * A small overlay report input: a sweep of pool sizes with three repeats each, one variant that
 * failed to start, spectra, a Pareto front and a knee; or a capacity search's steps.
 */
import type { OverlayReportInput, OverlayVariant } from '../../src/report/index.js';

function spectrum(scaleMs: number): OverlayVariant['spectrum'] {
  return [0, 50, 90, 99, 99.9, 99.99, 100].map((percentile) => ({
    percentile,
    valueMs: scaleMs * (1 + percentile / 25),
  }));
}

/** A sweep: pool=4 (slow), pool=8 (fast, Pareto), pool=64 (failed); runs link to pool-<n>/run-<k>/index.html. */
export function sweepOverlayInput(): OverlayReportInput {
  const repeats = (pool: number, rps: number, p99: number): OverlayVariant['points'] =>
    [0, 1, 2].map((k) => ({
      offeredRps: 500,
      achievedRps: rps + k * 3,
      p50Ms: p99 / 4,
      p99Ms: p99 + k,
      errorRate: 0.001 * k,
      sloHeld: p99 < 50,
      reportHref: `pool-${pool}/run-${k + 1}/index.html`,
    }));
  return {
    kind: 'sweep',
    title: 'pool size <sweep>',
    startedAt: '2026-12-02T07:00:00.000Z',
    headline: 'service.db.pool.max=8 wins: p99 20 ms, 10% below pool=4 & holds the SLO.',
    method: 'Medians of 3 repeats; ties by the Hodges-Lehmann interval at 95%.',
    variants: [
      {
        name: 'pool=4',
        settings: { 'service.db.pool.max': 4 },
        points: repeats(4, 430, 60),
        spectrum: spectrum(10),
      },
      {
        name: 'pool=8',
        settings: { 'service.db.pool.max': 8 },
        points: repeats(8, 495, 20),
        spectrum: spectrum(4),
      },
      {
        name: 'pool=64 <b>',
        settings: { 'service.db.pool.max': 64 },
        points: [],
        failed: 'service exited with code 1 <stderr>',
      },
    ],
    columns: [
      { key: 'p99', heading: 'p99 [95% CI]' },
      { key: 'rps', heading: 'responses/s' },
    ],
    table: [
      { variant: 'pool=8', rank: 1, cells: { p99: '20 ms [20, 22]', rps: '498' }, verdict: 'winner' },
      { variant: 'pool=4', rank: 2, cells: { p99: '60 ms [60, 62]', rps: '433' }, verdict: 'misses' },
      { variant: 'pool=64 <b>', cells: {}, verdict: 'failed' },
    ],
    pareto: ['pool=8'],
  };
}

/** A capacity search: steps at rising offered rates, the last one limited by the generator. */
export function capacityOverlayInput(): OverlayReportInput {
  const steps = [100, 200, 400, 800, 1000].map((offered, i) => ({
    offeredRps: offered,
    achievedRps: i === 4 ? 850 : offered * 0.99,
    p50Ms: 2 + i,
    p99Ms: [5, 6, 9, 40, 200][i]!,
    errorRate: 0,
    sloHeld: i < 3,
    reportHref: `step-${i + 1}/index.html`,
    ...(i === 4 ? { generatorLimit: 'generator event loop saturated' } : {}),
  }));
  return {
    kind: 'capacity',
    title: 'capacity',
    startedAt: '2026-12-02T07:00:00.000Z',
    headline: 'Capacity 400 requests/s (p99 ≤ 10 ms).',
    method: 'Geometric steps then bisection to 5%.',
    variants: [{ name: 'service', settings: {}, points: steps, spectrum: spectrum(3) }],
    columns: [{ key: 'capacity', heading: 'capacity' }],
    table: [{ variant: 'service', rank: 1, cells: { capacity: '400/s' }, verdict: 'holds' }],
    knees: [{ variant: 'service', achievedRps: 396, p99Ms: 9, method: 'Kneedle' }],
  };
}
