/**
 * The generator's check on itself: did its own state distort what it measured, and if so, was it
 * the generator (saturated) or the host it ran on (busy host)? Pure: figures in, verdict out.
 *
 *   ELU over the limit in enough seconds ─────────────── saturated  (the generator could not keep up)
 *   sent + dropped under the share of planned ───────── saturated  (arrivals it never got round to)
 *   lag p99 a visible share of latency p99, or lag p50
 *   over its limit, while the generator's ELU was not ─ busy host  (other work delayed its sends)
 *   otherwise ────────────────────────────────────────── ok
 *
 * A scheduling lag is only judged against the latencies it would inflate: 2 ms of lag is noise
 * against a 300 ms p99 and most of a 3 ms one. The closed model has no schedule, so only its
 * event-loop utilisation can speak: "saturated" or "ok".
 */
import { generatorLimits as limits, type GeneratorCheck } from '../results/index.js';

/** What the check weighs. */
export interface GeneratorEvidence {
  /** Event-loop utilisation of each second sampled (max over workers, 0..1). */
  eluBySecond: number[];
  /** Process CPU of each second sampled, % of one core (the same seconds, where reported). */
  cpuPctBySecond: number[];
  /** Flows with module steps: share of the load threads' time spent in the modules' functions (0..1). */
  moduleShare?: number;
  /** Open model only: the schedule and how it was kept. */
  open?: {
    /** Arrivals the plan made due. */
    planned: number;
    sent: number;
    /** Arrivals the in-flight bound held until their phase ended (the target's doing, not the generator's). */
    dropped: number;
    /** Requests whose lag was measured (those not held back by the bound). */
    lagCount: number;
    lagP50Ms: number;
    lagP99Ms: number;
    /** The run's latency p99, from the due time, ms (0 when nothing was measured). */
    latencyP99Ms: number;
    /** Seconds of load, for the send rates. */
    durationS: number;
  };
}

/** Judges the evidence; see the module comment and docs/measurement-edges.md. */
export function judgeGenerator(e: GeneratorEvidence): GeneratorCheck {
  const check: GeneratorCheck = {};
  const reasons: string[] = [];
  const seconds = e.eluBySecond.length;
  let saturated = false;
  let eluMax = 0;
  if (seconds > 0) {
    eluMax = Math.max(...e.eluBySecond);
    const over = e.eluBySecond.filter((elu) => elu > limits.eluSaturated).length;
    check.elu = round(mean(e.eluBySecond), 3);
    if (e.cpuPctBySecond.length > 0) check.cpuPct = round(mean(e.cpuPctBySecond), 1);
    check.eluMax = round(eluMax, 3);
    check.eluSaturatedSeconds = over;
    if (over > 0 && over >= seconds * limits.eluSaturatedSecondsShare) {
      saturated = true;
      reasons.push(
        `its event loop was over ${pct(limits.eluSaturated)} busy in ${over} of ${seconds} seconds (worst ${pct(eluMax)})`,
      );
    }
  }
  if (e.moduleShare !== undefined) {
    check.moduleShare = round(e.moduleShare, 3);
    if (e.moduleShare > limits.moduleShareMax) {
      saturated = true;
      reasons.push(
        `its flow module functions took ${pct(e.moduleShare)} of the load threads' time (over ${pct(limits.moduleShareMax)}): they are too slow for the planned load`,
      );
    }
  }
  const o = e.open;
  if (o === undefined) {
    check.verdict = seconds === 0 ? 'not-enough-data' : saturated ? 'saturated' : 'ok';
    check.reasons = reasons;
    return check;
  }

  const owed = o.planned - o.dropped;
  const behind = Math.max(0, owed - o.sent);
  check.schedulingLagP50Ms = round(o.lagP50Ms, 3);
  check.schedulingLagP99Ms = round(o.lagP99Ms, 3);
  check.latencyP99Ms = round(o.latencyP99Ms, 3);
  const share = o.latencyP99Ms > 0 ? o.lagP99Ms / o.latencyP99Ms : 0;
  check.lagShareOfLatency = round(share, 3);
  check.behindPlan = behind;
  check.sendRatePlanned = o.durationS > 0 ? round(o.planned / o.durationS, 1) : 0;
  check.sendRateAchieved = o.durationS > 0 ? round(o.sent / o.durationS, 1) : 0;

  if (owed > 0 && o.sent < owed * limits.sentShareMin) {
    saturated = true;
    reasons.push(
      `it sent ${o.sent} of the ${owed} requests due and not dropped (${round((o.sent / owed) * 100, 1)}%, under ${pct(limits.sentShareMin)})`,
    );
  }
  const late: string[] = [];
  if (o.lagCount > 0) {
    if (o.lagP99Ms > limits.lagFloorMs && share > limits.lagShareOfLatencyMax) {
      late.push(
        `its sends were late by up to ${round(o.lagP99Ms, 3)} ms (scheduling lag p99), ${pct(share)} of the latency p99 of ${round(o.latencyP99Ms, 3)} ms (over ${pct(limits.lagShareOfLatencyMax)})`,
      );
    }
    if (o.lagP50Ms > limits.lagP50MaxMs) {
      late.push(
        `the typical send was ${round(o.lagP50Ms, 3)} ms late (scheduling lag p50, over ${limits.lagP50MaxMs} ms)`,
      );
    }
  }
  reasons.push(...late);
  if (saturated) check.verdict = 'saturated';
  else if (late.length > 0) {
    check.verdict = 'busy-host';
    const own =
      seconds === 0
        ? 'no figure of its own load was recorded'
        : `its own event loop was at most ${pct(eluMax)} busy${check.cpuPct === undefined ? '' : ` and the process used ${round(check.cpuPct, 1)}% of a core on average`}`;
    reasons.push(`the generator itself was not saturated (${own}): other work on the host delayed it`);
  } else if (seconds === 0 && o.lagCount === 0) check.verdict = 'not-enough-data';
  else check.verdict = 'ok';
  check.suspect = check.verdict === 'saturated' || check.verdict === 'busy-host';
  check.reasons = reasons;
  return check;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function pct(share: number): string {
  return `${round(share * 100, 1)}%`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
