/**
 * A capacity search as the overlay report's input: one variant (the system searched), one point
 * per step linked to that step's own report, the spectrum of the highest step that held, and the
 * knee. The overlay report draws it next to a sweep's variants in the same way.
 */
import type { CapacityDocument } from '../analysis/index.js';
import { formatMs, formatPercent, formatRps } from '../shared/index.js';
import type { OverlayReportInput, OverlayTableRow } from './overlay-input.js';
import { percentileSpectrum } from './spectrum.js';

/**
 * The overlay input of `doc`. `histogramOfHighestHeld` is the encoded total histogram of the
 * highest step that held (its spectrum is drawn); `name` labels the variant (default the scenario).
 */
export function capacityOverlayInput(
  doc: CapacityDocument,
  options: { histogramOfHighestHeld?: string; name?: string; settings?: Record<string, unknown> } = {},
): OverlayReportInput {
  const name = options.name ?? doc.scenario;
  const spectrum =
    options.histogramOfHighestHeld === undefined
      ? []
      : percentileSpectrum(options.histogramOfHighestHeld).map((p) => ({
          percentile: p.percentile,
          valueMs: p.ms,
        }));
  const verdict: OverlayTableRow['verdict'] =
    doc.verdict === 'capacity' || doc.verdict === 'held-to-max'
      ? 'holds'
      : doc.verdict === 'never-held'
        ? 'misses'
        : doc.verdict === 'failed'
          ? 'failed'
          : 'inconclusive';
  return {
    kind: 'capacity',
    title: `Capacity of ${doc.scenario}`,
    startedAt: doc.startedAt,
    headline: doc.headline,
    method: doc.method,
    variants: [
      {
        name,
        settings: options.settings ?? {},
        points: doc.steps.map((p) => ({
          offeredRps: p.rate,
          achievedRps: p.achievedRps,
          p50Ms: p.p50Ms,
          p99Ms: p.p99Ms,
          errorRate: p.errorRate,
          sloHeld: p.held,
          ...(p.dir === undefined ? {} : { reportHref: `${p.dir}/index.html` }),
          ...(p.generatorLimit === undefined ? {} : { generatorLimit: p.generatorLimit }),
        })),
        ...(spectrum.length === 0 ? {} : { spectrum }),
        ...(doc.verdict === 'failed' && doc.failure !== undefined ? { failed: doc.failure.message } : {}),
      },
    ],
    columns: [
      { key: 'capacity', heading: 'capacity (req/s)' },
      { key: 'precision', heading: 'precision' },
      { key: 'knee', heading: 'knee (req/s at p99)' },
      { key: 'steps', heading: 'steps' },
    ],
    table: [
      {
        variant: name,
        rank: 1,
        verdict,
        cells: {
          capacity:
            doc.capacity === null ? '–' : `${doc.atLeast === true ? '≥ ' : ''}${formatRps(doc.capacity)}`,
          precision: doc.precision === null ? '–' : formatPercent(doc.precision),
          knee:
            doc.knee === null ? '–' : `${formatRps(doc.knee.achievedRps)} at ${formatMs(doc.knee.p99Ms)} ms`,
          steps: String(doc.steps.length),
        },
      },
    ],
    ...(doc.knee === null
      ? {}
      : {
          knees: [
            { variant: name, achievedRps: doc.knee.achievedRps, p99Ms: doc.knee.p99Ms, method: 'Kneedle' },
          ],
        }),
  };
}
