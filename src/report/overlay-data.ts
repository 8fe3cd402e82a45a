/**
 * The data the overlay report's charts read from the page, built from {@link OverlayReportInput}:
 * each variant's points (throughput, p50, p99, the link to the run's report), its spectrum on the
 * run report's log axis (x = 1 / (1 − q)), the Pareto front through the variants' positions, and
 * the knees.
 */
import { hrefOfPath, seriesColor } from './html-page.js';
import type { OverlayReportInput, OverlayVariant } from './overlay-input.js';

/** One run of a variant as the chart plots it. */
export interface OverlayChartPoint {
  /** Achieved responses/s. */
  x: number;
  p50: number;
  p99: number;
  /** 1-based number of the point within its variant (repeat or step). */
  run: number;
  offered: number | null;
  errorRate: number;
  /** true held, false missed, null: no SLO. */
  sloHeld: boolean | null;
  limit: string | null;
  /** URL of the run's report, relative to the overlay report; null when there is none. */
  href: string | null;
}

export interface OverlayChartVariant {
  name: string;
  color: string;
  /** Draw a line through the points (they are steps at different offered rates, not repeats). */
  line: boolean;
  onPareto: boolean;
  points: OverlayChartPoint[];
  spectrum: Array<{ x: number; percentile: number; ms: number }>;
}

export interface OverlayChartData {
  variants: OverlayChartVariant[];
  /** The Pareto front, by increasing throughput. */
  pareto: Array<{ x: number; y: number; variant: string }>;
  knees: Array<{ x: number; y: number; variant: string; method: string }>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Where a variant sits on the Pareto view: its own `position`, else its points' medians. */
export function variantPosition(variant: OverlayVariant): { x: number; y: number } | undefined {
  if (variant.position !== undefined) {
    return { x: variant.position.achievedRps, y: variant.position.p99Ms };
  }
  if (variant.points.length === 0) return undefined;
  return {
    x: median(variant.points.map((p) => p.achievedRps)),
    y: median(variant.points.map((p) => p.p99Ms)),
  };
}

/** The spectrum from p0 up to (not including) p100, whose x would be infinite. */
function spectrumOf(variant: OverlayVariant): OverlayChartVariant['spectrum'] {
  return (variant.spectrum ?? [])
    .filter((s) => s.percentile >= 0 && s.percentile < 100 && Number.isFinite(s.valueMs))
    .map((s) => ({
      x: Math.round((1 / (1 - s.percentile / 100)) * 1000) / 1000,
      percentile: s.percentile,
      ms: s.valueMs,
    }));
}

/** The chart data of the whole report. */
export function overlayChartData(input: OverlayReportInput): OverlayChartData {
  const onPareto = new Set(input.pareto ?? []);
  const variants = input.variants.map((variant, i): OverlayChartVariant => {
    const ordered = variant.points
      .map((p, k) => ({ p, run: k + 1 }))
      .sort((a, b) => (a.p.offeredRps ?? a.p.achievedRps) - (b.p.offeredRps ?? b.p.achievedRps));
    const offered = new Set(variant.points.map((p) => p.offeredRps));
    return {
      name: variant.name,
      color: seriesColor(i),
      line: offered.size > 1,
      onPareto: onPareto.has(variant.name),
      points: ordered.map(({ p, run }) => ({
        x: p.achievedRps,
        p50: p.p50Ms,
        p99: p.p99Ms,
        run,
        offered: p.offeredRps ?? null,
        errorRate: p.errorRate,
        sloHeld: p.sloHeld ?? null,
        limit: p.generatorLimit ?? null,
        href: p.reportHref === undefined ? null : hrefOfPath(p.reportHref),
      })),
      spectrum: spectrumOf(variant),
    };
  });
  const pareto = input.variants
    .filter((v) => onPareto.has(v.name))
    .flatMap((v) => {
      const at = variantPosition(v);
      return at === undefined ? [] : [{ ...at, variant: v.name }];
    })
    .sort((a, b) => a.x - b.x);
  const knees = (input.knees ?? []).map((k) => ({
    x: k.achievedRps,
    y: k.p99Ms,
    variant: k.variant,
    method: k.method,
  }));
  return { variants, pareto, knees };
}
