/**
 * What N repeats of one run say together: per metric, the median over runs and the range, with
 * n. The spread is the run-to-run noise a comparison with another set of repeats has to see through.
 */
import type { ResultDocument } from '../results/index.js';
import { median, metricDefinitions, type MetricId } from './compare-metrics.js';

/** The identifier of the repeats document's shape (`repeats.json`). */
export const repeatsSchemaId = 'loadlab/repeats@1';

/** One metric over the repeats. */
export interface RepeatFigure {
  metric: MetricId;
  label: string;
  unit: string;
  /** Runs that had the figure. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max − min) / median: the run-to-run spread as a share of the median (undefined at a median of 0). */
  spread?: number;
  /** Each run's figure, in run order (null where a run had none). */
  values: (number | null)[];
}

/** `repeats.json`: the runs of one `run --repeat N` and their figures. */
export interface RepeatsDocument {
  schema: typeof repeatsSchemaId;
  scenario: string;
  /** Each run's folder, relative to the repeats folder (run-1, run-2, ...). */
  runs: string[];
  /** Runs whose every SLO held. */
  sloHeld: number;
  figures: RepeatFigure[];
}

/** The repeats document of `results` (read from `runs`, in order). */
export function summariseRepeats(
  results: readonly ResultDocument[],
  runs: readonly string[],
): RepeatsDocument {
  const figures: RepeatFigure[] = [];
  for (const def of metricDefinitions) {
    const values = results.map((r) => def.of(r) ?? null);
    const present = values.filter((v): v is number => v !== null);
    const mid = median(present);
    if (mid === undefined) continue;
    const min = Math.min(...present);
    const max = Math.max(...present);
    figures.push({
      metric: def.id,
      label: def.label,
      unit: def.unit,
      n: present.length,
      median: mid,
      min,
      max,
      ...(mid === 0 ? {} : { spread: (max - min) / Math.abs(mid) }),
      values,
    });
  }
  return {
    schema: repeatsSchemaId,
    scenario: results[0]?.scenario.name ?? '',
    runs: [...runs],
    sloHeld: results.filter((r) => r.slo.every((c) => c.held)).length,
    figures,
  };
}
