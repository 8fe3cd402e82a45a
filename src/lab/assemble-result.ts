/**
 * Turns what a run measured into the result document. Pure: data in, document out.
 */
import { checkSlo } from '../gate/index.js';
import type { LoadAggregate } from '../load/aggregate.js';
import { encodeHistogram, summarizeLatencyMs } from '../metrics/index.js';
import type { Environment, PhaseRecord, ResultDocument } from '../results/types.js';
import { resultSchemaId } from '../results/types.js';
import type { Scenario } from '../scenario/index.js';

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
  interrupted: boolean;
  abortReason?: string;
  serviceCounted?: number;
}

export function assembleResult(facts: RunFacts): ResultDocument {
  const { aggregate } = facts;
  const durationS = Math.max(facts.loadDurationS, 0);
  const summary: ResultDocument['summary'] = {
    requests: aggregate.requests,
    sent: facts.sent,
    dropped: 0,
    inFlightAtStop: Math.max(0, facts.sent - facts.completed),
    errors: { total: aggregate.errors, byKind: { ...aggregate.errorsByKind } },
    rps: durationS > 0 ? round(aggregate.requests / durationS, 1) : 0,
    latencyMs: summarizeLatencyMs(aggregate.total),
    bytesRead: aggregate.bytes,
    durationS: round(durationS, 3),
    ...(facts.serviceCounted === undefined ? {} : { serviceCounted: facts.serviceCounted }),
  };
  const series = aggregate.seconds().map((s) => ({
    t: s.t,
    requests: s.requests,
    rps: s.requests,
    errors: s.errors,
    errorsByKind: s.errorsByKind,
    latencyMs: s.latencyMs,
  }));
  return {
    schema: resultSchemaId,
    startedAt: new Date(facts.startedAtMs).toISOString(),
    endedAt: new Date(facts.endedAtMs).toISOString(),
    interrupted: facts.interrupted,
    ...(facts.abortReason === undefined ? {} : { abortReason: facts.abortReason }),
    scenario: facts.scenario,
    target: facts.target,
    environment: facts.environment,
    phases: facts.phases,
    summary,
    slo: checkSlo(facts.scenario.slo, summary),
    series,
    histogram: encodeHistogram(aggregate.total),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
