/**
 * `abortOnFail` (docs/slo.md), as k6's `abortOnFail` with `delayAbortEval`: each whole-run SLO
 * entry with `abortOnFail: true` is judged on each second's figures as the run goes; missed for
 * `graceS` seconds on end (default 5), the run should stop. Pure: the CLI feeds it the lab's
 * per-second progress and aborts the run with the reason it returns.
 */
import { sloEntries, type Slo, type SloEntry } from '../scenario/index.js';
import { transportErrorKinds } from './slo.js';

/** Consecutive missed seconds before an `abortOnFail` entry stops the run, unless `graceS` says. */
export const defaultAbortGraceS = 5;

/** One second's figures, as the lab's progress event carries them. */
export interface AbortSecond {
  t: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  latencyMs: { p50: number; p99: number };
}

/** Where the judging stands: each watched limit's run of missed seconds, and the last second judged. */
export interface AbortWatch {
  limits: { name: 'p99Ms' | 'p50Ms' | 'errorRate'; limit: number; graceS: number; missed: number[] }[];
  lastT: number;
}

/** The limits of every `abortOnFail` entry, none missed yet. */
export function startAbortWatch(slo: Slo | readonly SloEntry[] | undefined): AbortWatch {
  const limits: AbortWatch['limits'] = [];
  const entries = Array.isArray(slo) ? sloEntries(slo as SloEntry[]) : [];
  for (const entry of entries) {
    if (entry.abortOnFail !== true) continue;
    const graceS = entry.graceS ?? defaultAbortGraceS;
    for (const name of ['p99Ms', 'p50Ms', 'errorRate'] as const) {
      const limit = entry[name];
      if (limit !== undefined) limits.push({ name, limit, graceS, missed: [] });
    }
  }
  return { limits, lastT: -1 };
}

/**
 * Judges one second: a limit missed in it extends its run of missed seconds, one held resets it;
 * a second with nothing to judge (no response, or no concluded request for the error rate)
 * resets it too. A second already judged (or earlier) changes nothing. Returns the new state and,
 * once a limit has been missed for its `graceS` seconds on end, why the run should stop, e.g.
 * `slo p99Ms (abortOnFail): 250 ms > 80 ms for 5 s` (the value is the worst of those seconds).
 */
export function judgeAbortSecond(
  watch: AbortWatch,
  second: AbortSecond,
): { watch: AbortWatch; reason?: string } {
  if (second.t <= watch.lastT) return { watch };
  let reason: string | undefined;
  const limits = watch.limits.map((l) => {
    const actual = valueOf(l.name, second);
    const missed = actual !== undefined && actual > l.limit ? [...l.missed, actual] : [];
    if (reason === undefined && missed.length >= l.graceS) {
      const worst = Math.max(...missed.slice(-l.graceS));
      reason = `slo ${l.name} (abortOnFail): ${show(l.name, worst)} > ${show(l.name, l.limit)} for ${l.graceS} s`;
    }
    return { ...l, missed };
  });
  return { watch: { limits, lastT: second.t }, ...(reason === undefined ? {} : { reason }) };
}

function valueOf(name: 'p99Ms' | 'p50Ms' | 'errorRate', s: AbortSecond): number | undefined {
  if (name === 'errorRate') {
    let noResponse = 0;
    for (const kind of transportErrorKinds) noResponse += s.errorsByKind[kind] ?? 0;
    const attempts = s.requests + noResponse;
    return attempts === 0 ? undefined : s.errors / attempts;
  }
  if (s.requests === 0) return undefined;
  return name === 'p99Ms' ? s.latencyMs.p99 : s.latencyMs.p50;
}

function show(name: string, value: number): string {
  return name === 'errorRate' ? `${Math.round(value * 10000) / 100}%` : `${Math.round(value * 10) / 10} ms`;
}
