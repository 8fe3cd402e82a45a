/**
 * The journey figures of a run as the result document records them: `steps[]` (each step's
 * latency, counts, errors, checks and per-second series) and `journeys[]` (each flow's journeys).
 * Pure: the merged aggregate in, records out.
 */
import type { JourneyAggregate } from '../load/index.js';
import { encodeHistogram, summarizeLatencyMs } from '../metrics/index.js';
import type { JourneyRecord, StepRecord } from '../results/index.js';

export function journeyRecords(
  journeys: JourneyAggregate,
  lastT: number,
  open: boolean,
): { steps: StepRecord[]; journeys: JourneyRecord[] } {
  const steps = journeys.info.map((info, i): StepRecord => {
    const aggregate = journeys.steps[i];
    const totals = journeys.totals[i];
    const byKind = { ...(totals?.errors ?? {}) };
    const total = Object.values(byKind).reduce((a, b) => a + b, 0);
    const moduleErrors = journeys.moduleErrors
      .filter((e) => e.step === i)
      .map((e) => ({ ...(e.at === undefined ? {} : { at: e.at }), message: e.message, count: e.count }));
    return {
      name: info.name,
      flow: info.flow,
      request: info.request,
      sent: totals?.sent ?? 0,
      requests: totals?.responses ?? 0,
      unanswered: totals?.unanswered ?? 0,
      errors: { total, byKind },
      latencyMs: summarizeLatencyMs(aggregate!.total),
      ...(open && aggregate?.serviceTotal !== undefined
        ? { serviceTimeMs: summarizeLatencyMs(aggregate.serviceTotal) }
        : {}),
      checks: info.checks.map((name, c) => ({
        name,
        passes: totals?.checks[c]?.[0] ?? 0,
        failures: totals?.checks[c]?.[1] ?? 0,
      })),
      histogram: encodeHistogram(aggregate!.total),
      series: aggregate!.seconds(lastT).map((s) => ({
        t: s.t,
        requests: s.requests,
        errors: s.errors,
        latencyMs: s.latencyMs,
      })),
      ...(moduleErrors.length === 0 ? {} : { moduleErrors }),
    };
  });
  const flows = journeys.flows.map((f): JourneyRecord => ({
    flow: f.name,
    weight: f.weight,
    started: f.started,
    completed: f.completed,
    failed: f.failed,
    unfinished: f.unfinished,
    durationMs: summarizeLatencyMs(f.durations),
  }));
  return { steps, journeys: flows };
}
