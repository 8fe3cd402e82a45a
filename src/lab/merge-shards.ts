/**
 * The shards of one run merged into one result, exactly: each second's latency histogram is the
 * sum of the shards' histograms of that second (from their latency.hlog), every count is a sum,
 * and the result is assembled by the same code as a single run's, so it reads, reports and
 * compares like one. Pure: documents in, document out.
 *
 *   shard 0: result.json + latency.hlog ─┐  check: one scenario, one n, one start, each shard once
 *   shard 1: result.json + latency.hlog ─┼─▶ per second t (the shards share their time zero):
 *   …                                    │     histograms added, counts summed, generator max
 *   shard n-1                            ┘ ─▶ assembleResult ─▶ result + latency.hlog
 *
 * Flows: each step's and flow's figures likewise (merge-journeys.ts). Kept apart per shard
 * (`merged.shards[]`): its host, its clock, its counts, its own generator self-check. What the merge cannot make exactly it leaves out: the per-second service time
 * (only each shard's total is recorded; the merged total is exact).
 */
import { LoadAggregate } from '../load/index.js';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
} from '../metrics/index.js';
import { formatLatencyLog } from '../results/index.js';
import type { LatencyInterval, MergedShard, ResultDocument, ShardRecord } from '../results/index.js';
import { loadlabError } from '../shared/index.js';
import type { ServiceSample } from '../telemetry/index.js';
import { assembleResult } from './assemble-result.js';
import { journeyMergeProblems, mergeJourneys } from './merge-journeys.js';

/** One shard's output folder, read. */
export interface ShardInput {
  /** Where it came from (its folder), for messages. */
  source: string;
  result: ResultDocument;
  /** Its latency.hlog, read: the run's start and one histogram per second. */
  intervals: LatencyInterval[];
}

/** The merged run: its result (unjudged, like the lab's) and its interval log. */
export interface MergedRun {
  result: ResultDocument;
  latencyLog: string;
}

/**
 * Merges the shards of one run. Throws MERGE_INPUT when a result is not a shard's, and
 * SHARD_MISMATCH naming every difference when the results are not shards of one run (another
 * scenario, shard count, start time or plan length; a shard given twice).
 */
export function mergeShards(inputs: readonly ShardInput[]): MergedRun {
  const shards = checkShards(inputs);
  const first = shards[0] as Checked;
  const count = first.shard.count;
  const aggregate = new LoadAggregate();
  let sent = 0;
  let unanswered = 0;
  let dropped = 0;
  let planned = 0;
  const lag = createLatencyHistogram();
  for (const { input, shard } of shards) {
    const { result } = input;
    const byT = new Map(input.intervals.map((i) => [i.t, i.histogram]));
    for (const point of result.series) {
      const histogram = byT.get(point.t) ?? createLatencyHistogram();
      byT.delete(point.t);
      aggregate.add(point.t, encodeHistogram(histogram), {
        requests: point.requests,
        errors: point.errorsByKind,
        bytes: 0,
        ...(point.unanswered === undefined ? {} : { unanswered: point.unanswered }),
      });
      if (point.generator !== undefined)
        aggregate.addGenerator(point.t, point.generator.elu, point.generator.cpuPct);
    }
    // Seconds the log has and the series does not (none, from loadlab): their latencies still count.
    for (const [t, histogram] of byT)
      aggregate.add(t, encodeHistogram(histogram), { requests: 0, errors: {}, bytes: 0 });
    aggregate.bytes += result.summary.bytesRead;
    if (shard.serviceHistogram !== undefined) {
      aggregate.serviceTotal ??= createLatencyHistogram();
      mergeHistograms(aggregate.serviceTotal, decodeHistogram(shard.serviceHistogram));
    }
    if (shard.lagHistogram !== undefined) mergeHistograms(lag, decodeHistogram(shard.lagHistogram));
    sent += result.summary.sent;
    unanswered += result.summary.unanswered ?? result.summary.inFlightAtStop;
    dropped += result.summary.dropped;
    planned += shard.planned ?? 0;
  }
  const results = shards.map((s) => s.input.result);
  const startedAtMs = Math.min(...results.map((r) => Date.parse(r.startedAt)));
  const endedAtMs = Math.max(...results.map((r) => Date.parse(r.endedAt)));
  const failed = results.find((r) => r.failure !== undefined);
  const interrupted = results.find((r) => r.interrupted);
  const withFaults = shards.find((s) => s.shard.index === 0)?.input.result;
  const withTelemetry = results.find((r) => r.telemetry !== undefined);
  const present = new Set(shards.map((s) => s.shard.index));
  const journeys = mergeJourneys(first.input.result.scenario, results);
  const result = assembleResult({
    scenario: first.input.result.scenario,
    environment: first.input.result.environment,
    target: first.input.result.target,
    startedAtMs,
    endedAtMs,
    loadDurationS: Math.max(...results.map((r) => r.summary.durationS)),
    phases: mergedPhases(results),
    aggregate,
    sent,
    completed: sent - unanswered,
    ...(journeys === undefined ? {} : { journeys }),
    unanswered,
    ...(first.input.result.scenario.load.model === 'open' ? { open: { dropped, planned, lag } } : {}),
    interrupted: interrupted !== undefined,
    ...(failed?.failure === undefined ? {} : { failure: failed.failure }),
    ...(failed?.abortReason !== undefined
      ? { abortReason: failed.abortReason }
      : interrupted?.abortReason !== undefined
        ? { abortReason: interrupted.abortReason }
        : {}),
    faults: (withFaults?.faults ?? []).map(
      ({ figures: _f, afterFigures: _a, afterFiguresFor: _ff, ...fault }) => fault,
    ),
    ...(withTelemetry?.telemetry === undefined
      ? {}
      : { telemetry: { info: withTelemetry.telemetry, bySecond: serviceBySecond(withTelemetry) } }),
    merged: {
      count,
      shards: shards.map(mergedShard),
      missing: Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i)),
    },
    noSecondServiceTime: true,
  });
  return { result, latencyLog: formatLatencyLog(startedAtMs, aggregate.windows()) };
}

interface Checked {
  input: ShardInput;
  shard: ShardRecord;
}

/** The inputs sorted by shard, once checked to be shards of one run. */
function checkShards(inputs: readonly ShardInput[]): Checked[] {
  const notShards = inputs.filter((i) => i.result.shard === undefined);
  if (inputs.length === 0 || notShards.length > 0) {
    throw loadlabError('MERGE_INPUT', 'merge takes the results of `loadlab run --shard i/n`', {
      problems:
        inputs.length === 0
          ? ['expected one folder or more, found none']
          : notShards.map(
              (i) =>
                `${i.source}: expected a shard's result (with "shard"), found a run that was not a shard`,
            ),
    });
  }
  const withoutHistograms = inputs.flatMap((i) => journeyMergeProblems(i.source, i.result));
  if (withoutHistograms.length > 0) {
    throw loadlabError('MERGE_INPUT', 'these flow shards lack what an exact merge of their steps needs', {
      problems: withoutHistograms,
    });
  }
  const checked = inputs
    .map((input) => ({ input, shard: input.result.shard as ShardRecord }))
    .sort((a, b) => a.shard.index - b.shard.index);
  const ref = checked[0] as Checked;
  const problems: string[] = [];
  const fields: [string, (s: ShardRecord) => string | number][] = [
    ['scenario (shard.scenarioId: the resolved scenario differs)', (s) => s.scenarioId],
    ['shard count n', (s) => s.count],
    ['start time (--start-at)', (s) => s.startAt],
    ['planned length (ms; was the run capped alike?)', (s) => s.plannedMs],
  ];
  for (const [what, get] of fields) {
    const values = new Map<string | number, string[]>();
    for (const c of checked) values.set(get(c.shard), [...(values.get(get(c.shard)) ?? []), shardName(c)]);
    if (values.size > 1) {
      problems.push(
        `${what}: expected one for every shard, found ${[...values].map(([v, who]) => `${JSON.stringify(v)} in ${who.join(', ')}`).join('; ')}`,
      );
    }
  }
  const byIndex = new Map<number, string[]>();
  for (const c of checked)
    byIndex.set(c.shard.index, [...(byIndex.get(c.shard.index) ?? []), c.input.source]);
  for (const [index, sources] of byIndex) {
    if (sources.length > 1) {
      problems.push(
        `shard ${index}/${ref.shard.count}: expected once, found ${sources.length} times (${sources.join(', ')}): overlapping shards`,
      );
    }
  }
  if (problems.length > 0) {
    throw loadlabError('SHARD_MISMATCH', 'these results are not the shards of one run', { problems });
  }
  return checked;
}

function shardName(c: Checked): string {
  return `${c.input.source} (shard ${c.shard.index}/${c.shard.count})`;
}

/** The phases as the shards ran them (they share one plan): a closed phase's connections summed. */
function mergedPhases(results: readonly ResultDocument[]): ResultDocument['phases'] {
  const longest = results.reduce((a, b) => (b.phases.length > a.phases.length ? b : a));
  return longest.phases.map(({ figures: _figures, ...phase }) => {
    if (phase.connections === undefined) return phase;
    const connections = results.reduce(
      (sum, r) => sum + (r.phases.find((p) => p.name === phase.name)?.connections ?? 0),
      0,
    );
    return { ...phase, connections };
  });
}

function serviceBySecond(result: ResultDocument): Map<number, ServiceSample> {
  const out = new Map<number, ServiceSample>();
  for (const point of result.series) if (point.service !== undefined) out.set(point.t, point.service);
  return out;
}

function mergedShard({ input, shard }: Checked): MergedShard {
  const r = input.result;
  return {
    index: shard.index,
    hostname: r.environment.hostname,
    target: r.target.url,
    clock: shard.clock,
    sent: r.summary.sent,
    requests: r.summary.requests,
    errors: r.summary.errors.total,
    durationS: r.summary.durationS,
    interrupted: r.interrupted,
    ...(r.failure === undefined ? {} : { failure: r.failure }),
    ...(r.summary.serviceCounted === undefined ? {} : { serviceCounted: r.summary.serviceCounted }),
    ...(r.summary.generator === undefined ? {} : { generator: r.summary.generator }),
  };
}
