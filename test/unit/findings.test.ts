import { describe, expect, it } from 'vitest';
import {
  analyseResult,
  eventLoopDelay,
  faultLatency,
  findingsForReading,
  gcPauses,
  generatorSaturated,
  busyHost,
  poolBottleneck,
  type FindingRule,
} from '../../src/analysis/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { healthyService, syntheticResult, type SyntheticOptions } from '../helpers/synthetic-result.js';

interface Case {
  name: string;
  rule: FindingRule;
  options: SyntheticOptions;
  /** Changes made to the document after it is built. */
  edit?: (r: ResultDocument) => void;
  verdict: 'found' | 'clear' | 'not-enough-data';
  /** Text the message must contain (the numbers behind the verdict). */
  says?: string[];
  seconds?: number[];
}

const queued = (t: number) => t >= 30 && t < 40;
const poolRun: SyntheticOptions = {
  service: (t) => ({
    ...healthyService(t),
    pool: { inUse: 10, idle: 0, waiting: queued(t) ? 20 + (t - 30) * 5 : 0 },
  }),
  p99: (t) => (queued(t) ? 80 + (t - 30) * 10 : 10),
};

const faultAt = (startS: number, endS: number) => [{ on: 'db', kind: 'latency', startS, endS }];

const cases: Case[] = [
  {
    name: 'fault: p50 rising 5× while p99 holds is found; a second barely touched is in neither group',
    rule: faultLatency,
    options: { faults: faultAt(20.1, 30.01), p99: (t) => (t === 30 ? 500 : 40) },
    edit: (r) => {
      for (const p of r.series) if (p.t >= 20 && p.t < 30) p.latencyMs.p50 = 10.5;
    },
    verdict: 'found',
    says: ['p50 10.5 ms (5×), p99 40 ms (1×)', 'p50 2.1 ms, p99 40 ms outside'],
    seconds: [20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
  },
  {
    name: 'pool: p99 climbing with the waiters is found',
    rule: poolBottleneck,
    options: poolRun,
    verdict: 'found',
    says: ['65 callers waited', '30–39 s', 'bottleneck'],
    seconds: [30, 31, 32, 33, 34, 35, 36, 37, 38, 39],
  },
  {
    name: 'pool: no waiters is clear',
    rule: poolBottleneck,
    options: { service: healthyService },
    verdict: 'clear',
    says: ['queued callers in 0 of 60 seconds'],
  },
  {
    name: 'pool: waiters while p99 stays flat is clear',
    rule: poolBottleneck,
    options: { ...poolRun, p99: () => 10 },
    verdict: 'clear',
    says: ['did not follow'],
  },
  {
    name: 'pool: no pool figures is not enough data',
    rule: poolBottleneck,
    options: {},
    verdict: 'not-enough-data',
  },
  {
    name: 'pool: four seconds is not enough data',
    rule: poolBottleneck,
    options: { seconds: 4, service: healthyService },
    verdict: 'not-enough-data',
    says: ['4 seconds'],
  },
  {
    name: 'event loop: p99 over 100 ms in a second is found',
    rule: eventLoopDelay,
    options: {
      service: (t) => ({
        ...healthyService(t),
        eventLoopDelayMs: { p50: 1, p99: t === 12 || t === 13 ? 240 : 3, max: 300 },
      }),
    },
    verdict: 'found',
    says: ['2 of 60 seconds', '12–13 s', '240 ms'],
    seconds: [12, 13],
  },
  {
    name: 'event loop: exactly 100 ms is not over',
    rule: eventLoopDelay,
    options: { service: (t) => ({ ...healthyService(t), eventLoopDelayMs: { p50: 1, p99: 100, max: 120 } }) },
    verdict: 'clear',
    says: ['100 ms'],
  },
  {
    name: 'event loop: no figures is not enough data',
    rule: eventLoopDelay,
    options: {},
    verdict: 'not-enough-data',
  },
  {
    name: 'gc: 62 ms of pauses in one second is found',
    rule: gcPauses,
    options: { service: (t) => ({ ...healthyService(t), gcPauseMs: t === 44 ? 62 : 4 }) },
    verdict: 'found',
    says: ['in 1 second (44 s', '62 ms'],
    seconds: [44],
  },
  {
    name: 'gc: small pauses are clear',
    rule: gcPauses,
    options: { service: healthyService },
    verdict: 'clear',
    says: ['at most 6 ms'],
  },
  { name: 'gc: no figures is not enough data', rule: gcPauses, options: {}, verdict: 'not-enough-data' },
  {
    name: 'generator: elu over 0.9 is found',
    rule: generatorSaturated,
    options: { generator: (t) => ({ elu: t > 50 ? 0.97 : 0.5, cpuPct: 90 }) },
    verdict: 'found',
    says: ['9 seconds', '51–59 s', '97%'],
  },
  {
    name: 'generator: elu at 0.9 is clear',
    rule: generatorSaturated,
    options: { generator: () => ({ elu: 0.9 }) },
    verdict: 'clear',
    says: ['90% busy'],
  },
  {
    name: 'generator: a suspect open-model schedule is found without per-second figures',
    rule: generatorSaturated,
    options: {},
    edit: (r) => {
      r.summary.generator = {
        schedulingLagP99Ms: 12,
        sendRatePlanned: 5000,
        sendRateAchieved: 3100,
        suspect: true,
        reasons: ['sent 3100 of 5000 planned requests'],
      };
    },
    verdict: 'found',
    says: ['sent 3100 of 5000'],
  },
  {
    name: 'generator: a closed-run summary with only its own load and no seconds is not enough data',
    rule: generatorSaturated,
    options: {},
    edit: (r) => {
      r.summary.generator = { elu: 0.5, cpuPct: 40 };
    },
    verdict: 'not-enough-data',
  },
  {
    name: 'generator: the check’s "saturated" verdict is found, with its reasons',
    rule: generatorSaturated,
    options: { generator: (t) => ({ elu: t >= 50 ? 0.97 : 0.5, cpuPct: 90 }) },
    edit: (r) => {
      r.summary.generator = {
        verdict: 'saturated',
        suspect: true,
        reasons: ['its event loop was over 90% busy in 10 of 60 seconds (worst 97%)'],
      };
    },
    verdict: 'found',
    says: ['The load generator was saturated: its event loop was over 90% busy in 10 of 60 seconds'],
    seconds: [50, 51, 52, 53, 54, 55, 56, 57, 58, 59],
  },
  {
    name: 'generator: a busy host is not a saturated generator',
    rule: generatorSaturated,
    options: { generator: () => ({ elu: 0.17, cpuPct: 26 }) },
    edit: (r) => {
      r.summary.generator = {
        verdict: 'busy-host',
        suspect: true,
        schedulingLagP99Ms: 1.8,
        reasons: ['its sends were late by up to 1.8 ms'],
      };
    },
    verdict: 'clear',
    says: ['kept up', '17% busy'],
  },
  {
    name: 'busy host: the check’s "busy-host" verdict is found, naming the host',
    rule: busyHost,
    options: { generator: () => ({ elu: 0.17, cpuPct: 26 }) },
    edit: (r) => {
      r.summary.generator = {
        verdict: 'busy-host',
        suspect: true,
        schedulingLagP99Ms: 1.8,
        latencyP99Ms: 5,
        lagShareOfLatency: 0.36,
        reasons: [
          'its sends were late by up to 1.8 ms (scheduling lag p99), 36% of the latency p99 of 5 ms (over 20%)',
          'the generator itself was not saturated (its own event loop was at most 17% busy): other work on the host delayed it',
        ],
      };
    },
    verdict: 'found',
    says: ['The host was busy: its sends were late by up to 1.8 ms', 'quieter host'],
  },
  {
    name: 'busy host: a generator on schedule is clear, with its lag against the latency',
    rule: busyHost,
    options: {},
    edit: (r) => {
      r.summary.generator = { verdict: 'ok', schedulingLagP99Ms: 1.8, lagShareOfLatency: 0.045, reasons: [] };
    },
    verdict: 'clear',
    says: ['lag p99 1.8 ms (4.5% of the latency p99)'],
  },
  {
    name: 'busy host: a closed run (no schedule) is not enough data',
    rule: busyHost,
    options: { generator: () => ({ elu: 0.5 }) },
    edit: (r) => {
      r.summary.generator = { verdict: 'ok', elu: 0.5, reasons: [] };
    },
    verdict: 'not-enough-data',
  },
  {
    name: 'generator: nothing recorded is not enough data',
    rule: generatorSaturated,
    options: {},
    verdict: 'not-enough-data',
  },
  {
    name: 'fault: p99 inside the window 8× outside is found',
    rule: faultLatency,
    options: {
      p99: (t) => (t >= 20 && t < 30 ? 80 : 10),
      faults: [{ on: 'db', kind: 'latency', startS: 20, endS: 30 }],
    },
    verdict: 'found',
    says: ['db latency (20–30 s): p50 2.1 ms (1×), p99 80 ms (8×)', 'p99 10 ms outside'],
    seconds: [20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
  },
  {
    name: 'fault: p99 unmoved by the fault is clear',
    rule: faultLatency,
    options: { faults: [{ on: 'recommendations', kind: 'http', startS: 20, endS: 30 }] },
    verdict: 'clear',
    says: ['held', 'p99 10 ms (1×)'],
  },
  {
    name: 'fault: no fault windows is not enough data',
    rule: faultLatency,
    options: {},
    verdict: 'not-enough-data',
    says: ['No fault window'],
  },
  {
    name: 'fault: a window over the whole run leaves nothing to compare with',
    rule: faultLatency,
    options: { faults: [{ on: 'db', kind: 'latency', startS: 0, endS: 60 }] },
    verdict: 'not-enough-data',
    says: ['0 seconds'],
  },
];

describe('findings rules', () => {
  it.each(cases)('$name', ({ rule, options, edit, verdict, says, seconds }) => {
    const result = syntheticResult(options);
    edit?.(result);
    const finding = rule(result);
    expect(finding.verdict).toBe(verdict);
    expect(finding.threshold).toMatch(/\d/);
    for (const text of says ?? []) expect(finding.message).toContain(text);
    if (seconds !== undefined) expect(finding.seconds).toEqual(seconds);
  });

  it('are pure: the same document gives the same findings and is left unchanged', () => {
    const result = syntheticResult(poolRun);
    const before = JSON.stringify(result);
    expect(analyseResult(result)).toEqual(analyseResult(result));
    expect(JSON.stringify(result)).toBe(before);
  });

  it('are read found first, then clear, then not enough data', () => {
    const order = findingsForReading(analyseResult(syntheticResult(poolRun))).map((f) => f.verdict);
    expect(order).toEqual(
      [...order].sort(
        (a, b) =>
          ['found', 'clear', 'not-enough-data'].indexOf(a) - ['found', 'clear', 'not-enough-data'].indexOf(b),
      ),
    );
    expect(order[0]).toBe('found');
  });
});
