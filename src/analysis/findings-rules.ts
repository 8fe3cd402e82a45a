/**
 * The findings rules: each a pure function from the result document to one Finding, with its
 * threshold and unit stated in `threshold`. "Not enough data" is its own verdict, never a pass.
 * Seconds with no responses are left out of every latency comparison.
 */
import { generatorLimits } from '../results/index.js';
import type { FaultRecord, Finding, ResultDocument, SeriesPoint } from '../results/index.js';
import { describeSeconds, median, pearson, round } from './findings-stats.js';
import { formatMs } from '../shared/index.js';

/** A rule: data in, verdict out. */
export type FindingRule = (result: ResultDocument) => Finding;

/** Event-loop delay p99 over this in a second, ms, marks CPU-bound or blocking code. */
export const eventLoopDelayLimitMs = 100;
/** GC pause time over this within one second, ms. */
export const gcPauseLimitMs = 50;
/** Generator event-loop utilisation over this in a second (0..1) marks a saturated second. */
export const generatorEluLimit = generatorLimits.eluSaturated;
/** Pool rule: correlation of per-second p99 with pool waiters at least this… */
export const poolCorrelationMin = 0.6;
/** …and p99 in seconds with waiters at least this many times p99 in seconds without. */
export const poolRiseMin = 1.5;
/** Fault rule: p99 inside a fault window at least this many times p99 outside is noted. */
export const faultRiseMin = 1.5;

const secondsCount = (n: number): string => (n === 1 ? '1 second' : `${n} seconds`);

const measured = (result: ResultDocument): SeriesPoint[] => result.series.filter((p) => p.requests > 0);

const answer = (
  rule: string,
  threshold: string,
  verdict: Finding['verdict'],
  message: string,
  extra: Pick<Finding, 'seconds' | 'figures'> = {},
): Finding => ({ rule, verdict, message, threshold, ...extra });

/** p99 rose while the pool's waiters grew: the pool is the bottleneck. */
export const poolBottleneck: FindingRule = (result) => {
  const rule = 'pool-bottleneck';
  const threshold = `Pearson r of per-second p99 and pool waiters ≥ ${poolCorrelationMin}, and median p99 in seconds with waiters ≥ ${poolRiseMin}× the seconds without`;
  const points = measured(result).filter((p) => p.service?.pool?.waiting !== undefined);
  if (points.length < 5) {
    return answer(
      rule,
      threshold,
      'not-enough-data',
      `Pool waiters were recorded in ${points.length} seconds with responses (5 needed).`,
    );
  }
  const waiting = points.map((p) => p.service?.pool?.waiting as number);
  const p99 = points.map((p) => p.latencyMs.p99);
  const queued = points.filter((p) => (p.service?.pool?.waiting as number) >= 1);
  const calm = points.filter((p) => (p.service?.pool?.waiting as number) < 1);
  const maxWaiting = Math.max(...waiting);
  if (queued.length < 3) {
    return answer(
      rule,
      threshold,
      'clear',
      `The pool queued callers in ${queued.length} of ${points.length} seconds (at most ${maxWaiting} waiting): it was not the bottleneck.`,
      { figures: { maxWaiting } },
    );
  }
  const r = pearson(p99, waiting);
  const queuedP99 = median(queued.map((p) => p.latencyMs.p99)) as number;
  const calmP99 = median(calm.map((p) => p.latencyMs.p99));
  const rise = calmP99 === undefined || calm.length < 3 || calmP99 <= 0 ? undefined : queuedP99 / calmP99;
  const figures: Record<string, number> = {
    maxWaiting,
    queuedSeconds: queued.length,
    queuedP99Ms: round(queuedP99, 3),
  };
  if (r !== undefined) figures.correlation = round(r, 2);
  if (rise !== undefined) figures.rise = round(rise, 2);
  if (calmP99 !== undefined) figures.calmP99Ms = round(calmP99, 3);
  const found = r !== undefined && r >= poolCorrelationMin && (rise === undefined || rise >= poolRiseMin);
  const vs =
    rise === undefined ? '' : ` against ${formatMs(calmP99 as number)} ms without (${round(rise, 1)}×)`;
  const corr = r === undefined ? 'no correlation could be computed' : `r = ${round(r, 2)}`;
  const message = found
    ? `p99 rose with the pool's queue: up to ${maxWaiting} callers waited for a connection (${describeSeconds(queued.map((p) => p.t))}), p99 was ${formatMs(queuedP99)} ms in those seconds${vs}; ${corr}. The pool is the bottleneck.`
    : `The pool queued callers in ${secondsCount(queued.length)} (up to ${maxWaiting}), but p99 did not follow it (${corr}${vs}).`;
  return answer(rule, threshold, found ? 'found' : 'clear', message, {
    seconds: queued.map((p) => p.t),
    figures,
  });
};

/** Event-loop delay p99 above the limit: CPU-bound or blocking code. */
export const eventLoopDelay: FindingRule = (result) => {
  const rule = 'event-loop-delay';
  const threshold = `event-loop delay p99 > ${eventLoopDelayLimitMs} ms in a second`;
  const points = result.series.filter((p) => p.service?.eventLoopDelayMs !== undefined);
  if (points.length === 0)
    return answer(rule, threshold, 'not-enough-data', 'The service reported no event-loop delay.');
  const over = points.filter((p) => (p.service?.eventLoopDelayMs?.p99 as number) > eventLoopDelayLimitMs);
  const worst = Math.max(...points.map((p) => p.service?.eventLoopDelayMs?.p99 as number));
  if (over.length === 0) {
    return answer(
      rule,
      threshold,
      'clear',
      `Event-loop delay p99 stayed at or under ${eventLoopDelayLimitMs} ms (worst second ${formatMs(worst)} ms).`,
      { figures: { worstP99Ms: worst } },
    );
  }
  return answer(
    rule,
    threshold,
    'found',
    `The service's event loop was blocked: delay p99 was over ${eventLoopDelayLimitMs} ms in ${over.length} of ${points.length} seconds (${describeSeconds(over.map((p) => p.t))}; worst ${formatMs(worst)} ms). Look for CPU-bound or synchronous code.`,
    { seconds: over.map((p) => p.t), figures: { worstP99Ms: worst, secondsOver: over.length } },
  );
};

/** GC pauses adding up to more than the limit within one second. */
export const gcPauses: FindingRule = (result) => {
  const rule = 'gc-pauses';
  const threshold = `GC pause time > ${gcPauseLimitMs} ms within one second`;
  const points = result.series.filter((p) => p.service?.gcPauseMs !== undefined);
  if (points.length === 0)
    return answer(rule, threshold, 'not-enough-data', 'The service reported no GC pauses.');
  const over = points.filter((p) => (p.service?.gcPauseMs as number) > gcPauseLimitMs);
  const worst = Math.max(...points.map((p) => p.service?.gcPauseMs as number));
  if (over.length === 0) {
    return answer(
      rule,
      threshold,
      'clear',
      `GC paused the service at most ${formatMs(worst)} ms in any second.`,
      { figures: { worstPauseMs: worst } },
    );
  }
  return answer(
    rule,
    threshold,
    'found',
    `GC paused the service more than ${gcPauseLimitMs} ms in ${secondsCount(over.length)} (${describeSeconds(over.map((p) => p.t))}; worst ${formatMs(worst)} ms in one second). Heap pressure is adding latency.`,
    { seconds: over.map((p) => p.t), figures: { worstPauseMs: worst, secondsOver: over.length } },
  );
};

/**
 * The load generator was saturated, so the figures measure it as much as the target. Read from
 * the generator's own check (`summary.generator.verdict`); a busy host is the next rule's.
 */
export const generatorSaturated: FindingRule = (result) => {
  const rule = 'generator-saturated';
  const threshold = `generator event-loop utilisation > ${generatorLimits.eluSaturated} in at least ${generatorLimits.eluSaturatedSecondsShare * 100}% of the seconds (and one), or fewer than ${generatorLimits.sentShareMin * 100}% of the requests due and not dropped sent`;
  const points = result.series.filter((p) => p.generator?.elu !== undefined);
  const check = result.summary.generator;
  const over = points.filter((p) => (p.generator?.elu as number) > generatorLimits.eluSaturated);
  const worst = points.length === 0 ? undefined : Math.max(...points.map((p) => p.generator?.elu as number));
  const figures: Record<string, number> = {};
  if (worst !== undefined) figures.worstElu = worst;
  if (check?.verdict === undefined) return legacyGeneratorFinding(result, rule, threshold, figures);
  if (check.verdict === 'not-enough-data') {
    return answer(rule, threshold, 'not-enough-data', "The generator's own load was not recorded.");
  }
  if (check.verdict !== 'saturated') {
    const busy = worst === undefined ? '' : ` (event loop at most ${round(worst * 100, 1)}% busy)`;
    return answer(rule, threshold, 'clear', `The load generator kept up${busy}.`, { figures });
  }
  return answer(
    rule,
    threshold,
    'found',
    `The load generator was saturated: ${(check.reasons ?? []).join('; ')}. Its figures describe the generator as much as the target.`,
    { seconds: over.map((p) => p.t), figures },
  );
};

/** Results written before the check had a verdict: judged by the per-second ELU and `suspect`. */
function legacyGeneratorFinding(
  result: ResultDocument,
  rule: string,
  threshold: string,
  figures: Record<string, number>,
): Finding {
  const points = result.series.filter((p) => p.generator?.elu !== undefined);
  const check = result.summary.generator;
  if (points.length === 0 && check?.suspect === undefined) {
    return answer(rule, threshold, 'not-enough-data', "The generator's own load was not recorded.");
  }
  const over = points.filter((p) => (p.generator?.elu as number) > generatorLimits.eluSaturated);
  const reasons: string[] = [];
  if (over.length > 0)
    reasons.push(
      `its event loop was over ${generatorLimits.eluSaturated * 100}% busy in ${secondsCount(over.length)} (${describeSeconds(over.map((p) => p.t))}; worst ${round((figures.worstElu as number) * 100, 1)}%)`,
    );
  if (check?.suspect === true) reasons.push(...(check.reasons ?? []));
  if (reasons.length === 0) {
    const worst = figures.worstElu;
    const busy = worst === undefined ? '' : ` (event loop at most ${round(worst * 100, 1)}% busy)`;
    return answer(rule, threshold, 'clear', `The load generator kept up${busy}.`, { figures });
  }
  return answer(
    rule,
    threshold,
    'found',
    `The load generator was saturated: ${reasons.join('; ')}. Its figures describe the generator as much as the target.`,
    { seconds: over.map((p) => p.t), figures },
  );
}

/**
 * Other work on the host delayed the generator's sends by a visible share of the latencies
 * measured, while the generator itself had time to spare (`summary.generator.verdict` "busy-host").
 */
export const busyHost: FindingRule = (result) => {
  const rule = 'busy-host';
  const threshold = `open model: scheduling lag p99 > ${generatorLimits.lagFloorMs} ms and > ${generatorLimits.lagShareOfLatencyMax * 100}% of latency p99, or lag p50 > ${generatorLimits.lagP50MaxMs} ms, while the generator was not saturated`;
  const check = result.summary.generator;
  if (
    check?.verdict === undefined ||
    check.schedulingLagP99Ms === undefined ||
    check.verdict === 'not-enough-data'
  ) {
    return answer(rule, threshold, 'not-enough-data', 'No open-model schedule check was recorded.');
  }
  const figures: Record<string, number> = { lagP99Ms: check.schedulingLagP99Ms };
  if (check.latencyP99Ms !== undefined) figures.latencyP99Ms = check.latencyP99Ms;
  if (check.lagShareOfLatency !== undefined) figures.lagShareOfLatency = check.lagShareOfLatency;
  if (check.verdict !== 'busy-host') {
    const share =
      check.lagShareOfLatency === undefined
        ? ''
        : ` (${round(check.lagShareOfLatency * 100, 1)}% of the latency p99)`;
    return answer(
      rule,
      threshold,
      'clear',
      `The generator sent on schedule: scheduling lag p99 ${formatMs(check.schedulingLagP99Ms)} ms${share}.`,
      { figures },
    );
  }
  return answer(
    rule,
    threshold,
    'found',
    `The host was busy: ${(check.reasons ?? []).join('; ')}. The latencies include that delay; rerun on a quieter host to measure the target alone.`,
    { figures },
  );
};

/** p50 and p99 inside each fault window against the same outside every window. */
export const faultLatency: FindingRule = (result) => {
  const rule = 'fault-latency';
  const threshold = `median per-second p50 and p99 in the seconds at least half inside a fault window vs the seconds outside every window; noted when either is ≥ ${faultRiseMin}×`;
  // A window the proxy refused to apply may not have happened: it is not compared.
  const faults = (result.faults ?? []).filter((f) => f.error === undefined && f.endS > f.startS);
  if (faults.length === 0)
    return answer(rule, threshold, 'not-enough-data', 'No fault window was applied in this run.');
  const points = measured(result);
  const overlap = (p: SeriesPoint, f: FaultRecord) => Math.min(p.t + 1, f.endS) - Math.max(p.t, f.startS);
  const outside = points.filter((p) => faults.every((f) => overlap(p, f) <= 0));
  const out = {
    p50: median(outside.map((p) => p.latencyMs.p50)),
    p99: median(outside.map((p) => p.latencyMs.p99)),
  };
  if (out.p50 === undefined || out.p99 === undefined || outside.length < 3) {
    return answer(
      rule,
      threshold,
      'not-enough-data',
      `Only ${outside.length} seconds with responses lay outside the fault windows (3 needed).`,
    );
  }
  const notes: string[] = [];
  const seconds: number[] = [];
  const figures: Record<string, number> = {
    outsideP50Ms: round(out.p50, 3),
    outsideP99Ms: round(out.p99, 3),
  };
  const times = (inside: number, outside: number) => {
    const rise = outside > 0 ? inside / outside : inside > 0 ? Infinity : 1;
    return { rise, text: Number.isFinite(rise) ? `${round(rise, 1)}×` : 'from 0' };
  };
  let found = false;
  let compared = 0;
  faults.forEach((f, i) => {
    const within = points.filter((p) => overlap(p, f) >= 0.5);
    const name = `${f.on} ${f.kind} (${round(f.startS, 1)}–${round(f.endS, 1)} s)`;
    const inP50 = median(within.map((p) => p.latencyMs.p50));
    const inP99 = median(within.map((p) => p.latencyMs.p99));
    if (inP50 === undefined || inP99 === undefined) {
      notes.push(`${name}: no second with responses lay inside it`);
      return;
    }
    compared += 1;
    const r50 = times(inP50, out.p50 as number);
    const r99 = times(inP99, out.p99 as number);
    figures[`fault${i}P50Ms`] = round(inP50, 3);
    figures[`fault${i}P99Ms`] = round(inP99, 3);
    if (r50.rise >= faultRiseMin || r99.rise >= faultRiseMin) {
      found = true;
      seconds.push(...within.map((p) => p.t));
    }
    notes.push(`${name}: p50 ${formatMs(inP50)} ms (${r50.text}), p99 ${formatMs(inP99)} ms (${r99.text})`);
  });
  // No window was compared (each shorter than a second, or without responses): nothing says latency held.
  if (compared === 0) {
    return answer(
      rule,
      threshold,
      'not-enough-data',
      `No fault window had a second with responses at least half inside it: ${notes.join('; ')}.`,
      { figures },
    );
  }
  const message = `${found ? 'Latency moved with the faults' : 'Latency held through the faults'}: ${notes.join('; ')}, against p50 ${formatMs(out.p50)} ms, p99 ${formatMs(out.p99)} ms outside them.`;
  return answer(rule, threshold, found ? 'found' : 'clear', message, { seconds, figures });
};

/** Every rule, in the order the report lists them. */
export const findingRules: readonly FindingRule[] = [
  faultLatency,
  poolBottleneck,
  eventLoopDelay,
  gcPauses,
  generatorSaturated,
  busyHost,
];
