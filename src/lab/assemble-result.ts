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
  GeneratorCheck,
  PhaseRecord,
  ResultDocument,
  RunFailure,
  TelemetryInfo,
} from '../results/index.js';
import { resultSchemaId } from '../results/index.js';
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
  completed: number;
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
}

export function assembleResult(facts: RunFacts): ResultDocument {
  const { aggregate } = facts;
  const durationS = Math.max(facts.loadDurationS, 0);
  const summary: ResultDocument['summary'] = {
    requests: aggregate.requests,
    sent: facts.sent,
    dropped: facts.open?.dropped ?? 0,
    inFlightAtStop: Math.max(0, facts.sent - facts.completed),
    errors: { total: aggregate.errors, byKind: { ...aggregate.errorsByKind } },
    rps: durationS > 0 ? round(aggregate.requests / durationS, 1) : 0,
    latencyMs: summarizeLatencyMs(aggregate.total),
    bytesRead: aggregate.bytes,
    durationS: round(durationS, 3),
    ...(facts.serviceCounted === undefined ? {} : { serviceCounted: facts.serviceCounted }),
  };
  const load = aggregate.generatorBetween();
  const ownLoad =
    load === undefined ? {} : { elu: round(load.eluMean, 3), cpuPct: round(load.cpuPctMean, 1) };
  if (facts.open !== undefined) {
    summary.serviceTimeMs = summarizeLatencyMs(aggregate.serviceTotal ?? createLatencyHistogram());
    summary.generator = { ...generatorCheck(facts.open, facts.sent, durationS), ...ownLoad };
  } else if (load !== undefined) {
    // The closed model has no schedule to check: only the generator's own load.
    summary.generator = ownLoad;
  }
  const series = aggregate.seconds().map((s) => ({
    t: s.t,
    requests: s.requests,
    rps: s.requests,
    errors: s.errors,
    errorsByKind: s.errorsByKind,
    latencyMs: s.latencyMs,
    ...(s.serviceTimeMs === undefined ? {} : { serviceTimeMs: s.serviceTimeMs }),
    ...(s.generator === undefined ? {} : { generator: s.generator }),
    ...serviceOf(facts, s.t),
  }));
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
    phases: facts.phases,
    faults: facts.faults ?? [],
    summary,
    // Judged by src/analysis (analyseRun): the lab measures, it does not judge.
    slo: [],
    series,
    histogram: encodeHistogram(aggregate.total),
    ...(facts.telemetry === undefined ? {} : { telemetry: facts.telemetry.info }),
  };
  return result;
}

/** The `service` field of one series point, when telemetry covered that second. */
function serviceOf(facts: RunFacts, t: number): { service?: ServiceSample } {
  const sample = facts.telemetry?.bySecond.get(t);
  return sample === undefined ? {} : { service: sample };
}

/** Lag p99 over this, in ms, or an achieved rate under this share of the plan, flags the run. */
const suspectLagMs = 1;
const suspectRateShare = 0.99;

function generatorCheck(
  open: NonNullable<RunFacts['open']>,
  sent: number,
  durationS: number,
): GeneratorCheck {
  const lagP99 = open.lag.totalCount === 0 ? 0 : open.lag.getValueAtPercentile(99) / 1000;
  const planned = durationS > 0 ? open.planned / durationS : 0;
  const achieved = durationS > 0 ? sent / durationS : 0;
  const reasons: string[] = [];
  if (open.planned > 0 && sent < open.planned * suspectRateShare) {
    reasons.push(
      `sent ${sent} of ${open.planned} planned requests (${round((sent / open.planned) * 100, 1)}%, under ${suspectRateShare * 100}%)`,
    );
  }
  if (lagP99 > suspectLagMs) {
    reasons.push(`scheduling lag p99 ${round(lagP99, 3)} ms is over ${suspectLagMs} ms`);
  }
  return {
    schedulingLagP99Ms: round(lagP99, 3),
    sendRatePlanned: round(planned, 1),
    sendRateAchieved: round(achieved, 1),
    suspect: reasons.length > 0,
    reasons,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
