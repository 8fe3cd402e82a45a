import { describe, expect, it } from 'vitest';
import { judgeGenerator, type GeneratorEvidence } from '../../src/lab/index.js';

const seconds = (n: number, elu: (t: number) => number): number[] =>
  Array.from({ length: n }, (_, t) => elu(t));

/** An open-model run of 10 s at 200/s that kept its schedule, against a target with p99 40 ms. */
const open = (over: Partial<NonNullable<GeneratorEvidence['open']>> = {}): GeneratorEvidence['open'] => ({
  planned: 2000,
  sent: 2000,
  dropped: 0,
  lagCount: 2000,
  lagP50Ms: 0.1,
  lagP99Ms: 0.6,
  latencyP99Ms: 40,
  durationS: 10,
  ...over,
});

const quiet = { eluBySecond: seconds(10, () => 0.17), cpuPctBySecond: seconds(10, () => 26) };

interface Case {
  name: string;
  evidence: GeneratorEvidence;
  verdict: 'ok' | 'saturated' | 'busy-host' | 'not-enough-data';
  /** Text the reasons must contain, joined. */
  says?: string[];
}

const cases: Case[] = [
  {
    name: 'a 1.8 ms lag p99 against a 40 ms latency p99, the generator at ELU 0.17, is ok',
    evidence: { ...quiet, open: open({ lagP99Ms: 1.8 }) },
    verdict: 'ok',
  },
  {
    name: 'the same lag against a 5 ms latency p99 (36%) while the generator idles is a busy host',
    evidence: { ...quiet, open: open({ lagP99Ms: 1.8, latencyP99Ms: 5 }) },
    verdict: 'busy-host',
    says: ['up to 1.8 ms', '36% of the latency p99 of 5 ms (over 20%)', 'at most 17% busy', '26% of a core'],
  },
  {
    name: 'a lag p99 under the 1 ms floor is ok, whatever the latencies',
    evidence: { ...quiet, open: open({ lagP99Ms: 0.9, latencyP99Ms: 2 }) },
    verdict: 'ok',
  },
  {
    name: 'a lag p99 of exactly 20% of latency p99 is ok',
    evidence: { ...quiet, open: open({ lagP99Ms: 8, latencyP99Ms: 40 }) },
    verdict: 'ok',
  },
  {
    name: 'a lag p99 just over 20% of latency p99 is a busy host',
    evidence: { ...quiet, open: open({ lagP99Ms: 8.1, latencyP99Ms: 40 }) },
    verdict: 'busy-host',
  },
  {
    name: 'the typical send late (lag p50 over 1 ms) while the generator idles is a busy host',
    evidence: { ...quiet, open: open({ lagP50Ms: 3, lagP99Ms: 5, latencyP99Ms: 400 }) },
    verdict: 'busy-host',
    says: ['typical send was 3 ms late'],
  },
  {
    name: 'ELU over 0.9 in 3 of 10 seconds is saturated, lag or not',
    evidence: { eluBySecond: seconds(10, (t) => (t >= 7 ? 0.97 : 0.6)), cpuPctBySecond: [], open: open() },
    verdict: 'saturated',
    says: ['over 90% busy in 3 of 10 seconds (worst 97%)'],
  },
  {
    name: 'ELU over 0.9 in 1 of 60 seconds (under 10% of them) is not saturated',
    evidence: { eluBySecond: seconds(60, (t) => (t === 0 ? 0.95 : 0.3)), cpuPctBySecond: [], open: open() },
    verdict: 'ok',
  },
  {
    name: 'ELU over 0.9 in 1 of 5 seconds is saturated',
    evidence: { eluBySecond: seconds(5, (t) => (t === 4 ? 0.95 : 0.3)), cpuPctBySecond: [], open: open() },
    verdict: 'saturated',
  },
  {
    name: 'ELU of exactly 0.9 is not over the limit',
    evidence: { eluBySecond: seconds(10, () => 0.9), cpuPctBySecond: [], open: open() },
    verdict: 'ok',
  },
  {
    name: 'a saturated generator whose sends were late says both',
    evidence: {
      eluBySecond: seconds(10, () => 0.99),
      cpuPctBySecond: seconds(10, () => 100),
      open: open({ lagP50Ms: 12, lagP99Ms: 40, latencyP99Ms: 50 }),
    },
    verdict: 'saturated',
    says: ['over 90% busy in 10 of 10 seconds', 'typical send was 12 ms late'],
  },
  {
    name: 'sends behind plan (3,100 of 5,000, none dropped) is saturated',
    evidence: { ...quiet, open: open({ planned: 5000, sent: 3100 }) },
    verdict: 'saturated',
    says: ['sent 3100 of the 5000 requests due and not dropped (62%, under 99%)'],
  },
  {
    name: 'arrivals dropped by the in-flight bound are the target’s doing, not the generator’s',
    evidence: { ...quiet, open: open({ planned: 5000, sent: 3000, dropped: 2000 }) },
    verdict: 'ok',
  },
  {
    name: 'an open run with neither lag samples nor ELU is not enough data',
    evidence: { eluBySecond: [], cpuPctBySecond: [], open: open({ lagCount: 0, lagP50Ms: 0, lagP99Ms: 0 }) },
    verdict: 'not-enough-data',
  },
  {
    name: 'a closed run judges by ELU alone: 0.5 is ok',
    evidence: { eluBySecond: seconds(10, () => 0.5), cpuPctBySecond: seconds(10, () => 50) },
    verdict: 'ok',
  },
  {
    name: 'a closed run at ELU 0.95 throughout is saturated',
    evidence: { eluBySecond: seconds(10, () => 0.95), cpuPctBySecond: seconds(10, () => 98) },
    verdict: 'saturated',
  },
  {
    name: 'a closed run with no figure of its own load is not enough data',
    evidence: { eluBySecond: [], cpuPctBySecond: [] },
    verdict: 'not-enough-data',
  },
];

describe('the generator check', () => {
  it.each(cases)('$name', ({ evidence, verdict, says }) => {
    const check = judgeGenerator(evidence);
    expect(check.verdict).toBe(verdict);
    if (evidence.open !== undefined)
      expect(check.suspect).toBe(verdict === 'saturated' || verdict === 'busy-host');
    else expect(check.suspect).toBeUndefined();
    if (verdict === 'ok') expect(check.reasons).toEqual([]);
    else if (verdict !== 'not-enough-data') expect(check.reasons?.length).toBeGreaterThan(0);
    for (const text of says ?? []) expect(check.reasons?.join('; ')).toContain(text);
  });

  it('states its figures: means, worst second, lag share, rates', () => {
    const check = judgeGenerator({ ...quiet, open: open({ lagP99Ms: 1.8, latencyP99Ms: 5 }) });
    expect(check).toMatchObject({
      elu: 0.17,
      cpuPct: 26,
      eluMax: 0.17,
      eluSaturatedSeconds: 0,
      schedulingLagP50Ms: 0.1,
      schedulingLagP99Ms: 1.8,
      latencyP99Ms: 5,
      lagShareOfLatency: 0.36,
      behindPlan: 0,
      sendRatePlanned: 200,
      sendRateAchieved: 200,
    });
  });
});
