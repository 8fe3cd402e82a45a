/**
 * A sweep as the overlay report draws it: each variant's repeats as points of latency against
 * throughput (each linking to that run's own report), its repeats' histograms added into one
 * percentile spectrum, and the winner table with the evidence behind each rank.
 */
import type { RepeatRange, SweepDocument, SweepVariant } from '../analysis/index.js';
import { decodeHistogram, encodeHistogram, mergeHistograms } from '../metrics/index.js';
import type { ResultDocument } from '../results/index.js';
import { formatMs, formatPercent } from '../shared/index.js';
import type { OverlayPoint, OverlayReportInput, OverlayVariant } from './overlay-input.js';
import { percentileSpectrum } from './spectrum.js';

/** The columns of the sweep's table, in order. */
export const sweepColumns = [
  { key: 'slo', heading: 'SLO held' },
  { key: 'p50', heading: 'p50 (range)' },
  { key: 'p99', heading: 'p99 (range)' },
  { key: 'rps', heading: 'throughput' },
  { key: 'goodput', heading: 'goodput' },
  { key: 'errors', heading: 'error rate' },
  { key: 'loop', heading: 'event-loop p99' },
  { key: 'heap', heading: 'heap peak' },
];

/**
 * The overlay report's input for `doc`; `results` holds each variant's runs (by variant index),
 * in the order of its `runs`.
 */
export function sweepOverlayInput(
  doc: SweepDocument,
  results: ReadonlyMap<number, readonly ResultDocument[]>,
): OverlayReportInput {
  const variants: OverlayVariant[] = doc.variants.map((v) => {
    const runs = results.get(v.index) ?? [];
    const spectrum = spectrumOf(runs);
    return {
      name: v.name,
      settings: v.settings,
      points: runs.map((r, i) => pointOf(r, v.runs[i])),
      ...(spectrum.length === 0 ? {} : { spectrum }),
      ...(v.status === 'failed' ? { failed: v.reason ?? 'failed' } : {}),
    };
  });
  return {
    kind: 'sweep',
    title: `Sweep of ${doc.scenario}: ${doc.variants.length} variants × ${doc.repeats} repeats`,
    startedAt: doc.startedAt,
    headline: doc.decision,
    method: `${doc.method} Runs in a seeded interleaved order (seed ${doc.seed}).`,
    variants,
    columns: sweepColumns,
    table: doc.variants.map((v) => ({
      variant: v.name,
      ...(v.rank === undefined ? {} : { rank: v.rank }),
      cells: sweepCells(v),
      verdict: v.verdict === 'pending' ? 'inconclusive' : v.verdict,
    })),
    pareto: doc.pareto,
  };
}

/** A variant's row, formatted: "12.1 ms [11.8, 13.0]". */
export function sweepCells(v: SweepVariant): Record<string, string> {
  const ms = (r: RepeatRange | undefined) =>
    r === undefined ? '–' : `${formatMs(r.median)} ms [${formatMs(r.min)}, ${formatMs(r.max)}]`;
  const per = (r: RepeatRange | undefined) => (r === undefined ? '–' : `${formatMs(r.median)}/s`);
  const slo =
    v.status === 'failed'
      ? `failed: ${v.reason ?? ''}`
      : v.slo.checks.length === 0
        ? 'no SLO'
        : `${v.slo.runsHeld}/${v.runs.length} runs`;
  return {
    slo,
    p50: ms(v.latencyMs?.p50),
    p99: ms(v.latencyMs?.p99),
    rps: per(v.rps),
    goodput: per(v.goodputRps),
    errors: v.errorRatePct === undefined ? '–' : formatPercent(v.errorRatePct.median / 100),
    loop: ms(v.service?.eventLoopDelayP99Ms),
    heap: v.service?.heapPeakMb === undefined ? '–' : `${formatMs(v.service.heapPeakMb.median)} MB`,
  };
}

function pointOf(r: ResultDocument, dir: string | undefined): OverlayPoint {
  const s = r.summary;
  const attempts = s.sent > 0 ? s.sent : s.requests;
  const offered = r.scenario.load.model === 'open' ? offeredRps(r) : undefined;
  const verdict = s.generator?.verdict;
  return {
    ...(offered === undefined ? {} : { offeredRps: offered }),
    achievedRps: s.rps,
    p50Ms: s.latencyMs.p50,
    p99Ms: s.latencyMs.p99,
    errorRate: attempts === 0 ? 0 : s.errors.total / attempts,
    ...(r.slo.length === 0 ? {} : { sloHeld: r.slo.every((c) => c.held) }),
    ...(dir === undefined ? {} : { reportHref: `${dir}/index.html` }),
    ...(verdict === 'saturated' || verdict === 'busy-host'
      ? { generatorLimit: `the generator was ${verdict === 'saturated' ? 'saturated' : 'on a busy host'}` }
      : {}),
  };
}

/** Requests planned over the run's seconds, for an open-model run. */
function offeredRps(r: ResultDocument): number | undefined {
  const phases = (r.scenario.load as { phases?: Array<{ duration?: number; rate?: unknown }> }).phases ?? [];
  let planned = 0;
  let ms = 0;
  for (const p of phases) {
    if (typeof p.duration !== 'number') return undefined;
    const rate = p.rate;
    const mean =
      typeof rate === 'number'
        ? rate
        : typeof rate === 'object' && rate !== null
          ? ((rate as { from: number }).from + (rate as { to: number }).to) / 2
          : undefined;
    if (mean === undefined) return undefined;
    planned += (mean * p.duration) / 1000;
    ms += p.duration;
  }
  return ms === 0 ? undefined : planned / (ms / 1000);
}

function spectrumOf(runs: readonly ResultDocument[]) {
  if (runs.length === 0) return [];
  try {
    const total = decodeHistogram(runs[0]?.histogram as string);
    for (const r of runs.slice(1)) mergeHistograms(total, decodeHistogram(r.histogram));
    return percentileSpectrum(encodeHistogram(total)).map((p) => ({
      percentile: p.percentile,
      valueMs: p.ms,
    }));
  } catch {
    // The reader vetted each histogram; a variant whose runs cannot be added just has no spectrum.
    return [];
  }
}
