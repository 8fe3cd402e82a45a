/**
 * The journey figures of a flow run's shards merged exactly, as the rest of a merge is: each
 * step's histogram of each second is the sum of the shards' (from `shard.steps[]`), its whole
 * histogram and service-time histogram likewise, each flow's journey durations the sum of the
 * shards' (`shard.journeyHistograms`); every count, check and module error a sum. The result is
 * a {@link JourneyAggregate}, which the result is assembled from like a single run's.
 *
 *   shard i: steps[s] counts + shard.steps[s] histograms ─┐
 *            journeys[f] counts + journeyHistograms[f] ───┼─▶ JourneyAggregate ─▶ steps[], journeys[]
 *   shard j: …                                            ┘
 */
import { JourneyAggregate, transportErrorKinds } from '../load/index.js';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
} from '../metrics/index.js';
import type { ResultDocument, StepRecord } from '../results/index.js';
import type { Scenario } from '../scenario/index.js';

/** A shard's result that cannot be merged exactly: why, for MERGE_INPUT. */
export function journeyMergeProblems(source: string, result: ResultDocument): string[] {
  if (result.scenario.load.flows === undefined) return [];
  const steps = result.steps ?? [];
  const shard = result.shard;
  const problems: string[] = [];
  if (shard?.steps === undefined || shard.steps.length !== steps.length) {
    problems.push(
      `${source}: expected the histograms of each of its ${steps.length} steps in shard.steps (a flow shard of this loadlab), found ${shard?.steps?.length ?? 'none'}`,
    );
  }
  const flows = result.journeys?.length ?? 0;
  if (shard?.journeyHistograms === undefined || shard.journeyHistograms.length !== flows) {
    problems.push(
      `${source}: expected the journey durations of each of its ${flows} flows in shard.journeyHistograms, found ${shard?.journeyHistograms?.length ?? 'none'}`,
    );
  }
  return problems;
}

/** The shards' journeys merged (undefined when the scenario has no flows); the results passed {@link journeyMergeProblems}. */
export function mergeJourneys(
  scenario: Scenario,
  results: readonly ResultDocument[],
): JourneyAggregate | undefined {
  if (scenario.load.flows === undefined) return undefined;
  const merged = new JourneyAggregate(scenario.load.requests, scenario.load.flows);
  for (const result of results) {
    const steps = result.steps ?? [];
    steps.forEach((step, i) => addStepSeconds(merged, i, step, result));
    merged.addTotals({
      steps: steps.map((s) => ({
        sent: s.sent,
        responses: s.requests,
        transportErrors: transportErrorKinds.reduce((n, kind) => n + (s.errors.byKind[kind] ?? 0), 0),
        unanswered: s.unanswered,
        errors: { ...s.errors.byKind },
        checks: s.checks.map((c): [number, number] => [c.passes, c.failures]),
      })),
      flows: (result.journeys ?? []).map((j, f) => ({
        started: j.started,
        completed: j.completed,
        failed: j.failed,
        unfinished: j.unfinished,
        durationHistogram: result.shard?.journeyHistograms?.[f] ?? '',
      })),
      // Module time judges each shard's own generator; the shards keep their verdicts.
      moduleMs: 0,
      moduleErrors: steps.flatMap((s, i) => (s.moduleErrors ?? []).map((e) => ({ step: i, ...e }))),
    });
  }
  return merged;
}

/** One shard's step `i`: each second's counts with that second's histogram, and its service time. */
function addStepSeconds(merged: JourneyAggregate, i: number, step: StepRecord, result: ResultDocument): void {
  const into = merged.steps[i];
  const own = result.shard?.steps?.[i];
  if (into === undefined || own === undefined) return;
  const byT = new Map(own.seconds.map((s) => [s.t, s.histogram]));
  for (const point of step.series) {
    const histogram = byT.get(point.t);
    byT.delete(point.t);
    if (histogram === undefined && point.requests === 0 && point.errors === 0) continue;
    into.add(point.t, histogram ?? emptyHistogram(), {
      requests: point.requests,
      // The step's series counts its errors per second, not by kind; the totals keep the kinds.
      errors: point.errors === 0 ? {} : { error: point.errors },
      bytes: 0,
    });
  }
  // Seconds the histograms have and the series does not: their latencies still count.
  for (const [t, histogram] of byT) into.add(t, histogram, { requests: 0, errors: {}, bytes: 0 });
  if (own.serviceHistogram !== undefined) {
    into.serviceTotal ??= createLatencyHistogram();
    mergeHistograms(into.serviceTotal, decodeHistogram(own.serviceHistogram));
  }
}

let empty: string | undefined;
/** An empty histogram, encoded (made once, when first needed). */
function emptyHistogram(): string {
  empty ??= encodeHistogram(createLatencyHistogram());
  return empty;
}
