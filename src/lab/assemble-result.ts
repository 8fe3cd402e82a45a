/**
 * Turns what a run measured into the result document. Pure: data in, document out. The document
 * leaves the lab unjudged (`slo: []`, no `findings`): src/analysis `analyseRun` judges it.
 */
import type { LoadAggregate } from '../load/index.js';
import { createLatencyHistogram, encodeHistogram, summarizeLatencyMs } from '../metrics/index.js';
import type { LatencyHistogram } from '../metrics/index.js';
import type {
  Environment,
  FaultRecord,
  MergeRecord,
  PhaseRecord,
  ResultDocument,
  RunFailure,
  ShardRecord,
  TelemetryInfo,
} from '../results/index.js';
import { resultSchemaId } from '../results/index.js';
import { judgeGenerator } from './generator-check.js';
import { withWindowFigures } from './window-figures.js';
import type { Scenario } from '../scenario/index.js';
import type { ServiceSample } from '../telemetry/index.js';

export interface RunFacts {
  scenario: Scenario;
  environment: Environment;
  target: ResultDocument['target'];
  startedAtMs: number;
  endedAtMs: number;
  /** Seconds of load actually driven. */
  loadDurationS: number;
  phases: PhaseRecord[];
  aggregate: LoadAggregate;
  sent: number;
  /** Responses plus transport errors (each request once). */
  completed: number;
  /**
   * Requests still unanswered when the load stopped waiting, as the engines counted them; when
   * absent it is taken as `sent − completed`.
   */
  unanswered?: number;
  /** Open model: what the generator scheduled, dropped and how late it sent; absent for the closed model. */
  open?: { dropped: number; planned: number; lag: LatencyHistogram };
  interrupted: boolean;
  abortReason?: string;
  failure?: RunFailure;
  serviceCounted?: number;
  /** Fault windows as they happened (default none). */
  faults?: FaultRecord[];
  /** The service's telemetry: how it was gathered, and its samples by load second. */
  telemetry?: { info: TelemetryInfo; bySecond: Map<number, ServiceSample> };
  /** A shard's record of itself (a run of one shard). */
  shard?: ShardRecord;
  /** How a merged result was made (a merge of shards). */
  merged?: MergeRecord;
  /** Omit the per-second service time from the series (a merge has no per-second service histograms). */
  noSecondServiceTime?: boolean;
}

export function assembleResult(facts: RunFacts): ResultDocument {
  const { aggregate } = facts;
  const durationS = Math.max(facts.loadDurationS, 0);
  const unanswered = facts.unanswered ?? Math.max(0, facts.sent - facts.completed);
  const summary: ResultDocument['summary'] = {
    requests: aggregate.requests,
    sent: facts.sent,
    dropped: facts.open?.dropped ?? 0,
    inFlightAtStop: unanswered,
    unanswered,
    errors: { total: aggregate.errors, byKind: { ...aggregate.errorsByKind } },
    rps: durationS > 0 ? round(aggregate.requests / durationS, 1) : 0,
    latencyMs: summarizeLatencyMs(aggregate.total),
    bytesRead: aggregate.bytes,
    durationS: round(durationS, 3),
    ...(facts.serviceCounted === undefined ? {} : { serviceCounted: facts.serviceCounted }),
  };
  const own = aggregate.generatorSeconds();
  const evidence = {
    eluBySecond: own.map((g) => g.elu),
    cpuPctBySecond: own.map((g) => g.cpuPct),
  };
  if (facts.open !== undefined) {
    summary.serviceTimeMs = summarizeLatencyMs(aggregate.serviceTotal ?? createLatencyHistogram());
    const lag = facts.open.lag;
    summary.generator = judgeGenerator({
      ...evidence,
      open: {
        planned: facts.open.planned,
        sent: facts.sent,
        dropped: facts.open.dropped,
        lagCount: lag.totalCount,
        lagP50Ms: lag.totalCount === 0 ? 0 : lag.getValueAtPercentile(50) / 1000,
        lagP99Ms: lag.totalCount === 0 ? 0 : lag.getValueAtPercentile(99) / 1000,
        latencyP99Ms: summary.latencyMs.p99,
        durationS,
      },
    });
  } else if (own.length > 0) {
    // The closed model has no schedule to check: only the generator's own load speaks.
    summary.generator = judgeGenerator(evidence);
  }
  // Every second of the run has its point, the silent ones too: through the run's last second.
  const lastT = Math.ceil(durationS) - 1;
  const series = aggregate.seconds(lastT).map((s) => ({
    t: s.t,
    requests: s.requests,
    rps: s.requests,
    errors: s.errors,
    errorsByKind: s.errorsByKind,
    ...(s.unanswered > 0 ? { unanswered: s.unanswered } : {}),
    latencyMs: s.latencyMs,
    ...(s.serviceTimeMs === undefined || facts.noSecondServiceTime === true
      ? {}
      : { serviceTimeMs: s.serviceTimeMs }),
    ...(s.generator === undefined ? {} : { generator: s.generator }),
    ...serviceOf(facts, s.t),
  }));
  const windows = withWindowFigures(aggregate, facts.scenario, facts.phases, facts.faults ?? [], lastT + 1);
  const result: ResultDocument = {
    schema: resultSchemaId,
    startedAt: new Date(facts.startedAtMs).toISOString(),
    endedAt: new Date(facts.endedAtMs).toISOString(),
    interrupted: facts.interrupted,
    ...(facts.abortReason === undefined ? {} : { abortReason: facts.abortReason }),
    ...(facts.failure === undefined ? {} : { failure: facts.failure }),
    scenario: facts.scenario,
    target: facts.target,
    environment: facts.environment,
    phases: windows.phases,
    faults: windows.faults,
    summary,
    // Judged by src/analysis (analyseRun): the lab measures, it does not judge.
    slo: [],
    series,
    histogram: encodeHistogram(aggregate.total),
    ...(facts.telemetry === undefined ? {} : { telemetry: facts.telemetry.info }),
    ...(facts.shard === undefined ? {} : { shard: facts.shard }),
    ...(facts.merged === undefined ? {} : { merged: facts.merged }),
  };
  return result;
}

/** The `service` field of one series point, when telemetry covered that second. */
function serviceOf(facts: RunFacts, t: number): { service?: ServiceSample } {
  const sample = facts.telemetry?.bySecond.get(t);
  return sample === undefined ? {} : { service: sample };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
