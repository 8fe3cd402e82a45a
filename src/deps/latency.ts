/**
 * Latency samplers: one small factory per distribution a scenario can name (`latency.dist`),
 * each turning a spec and a seeded random source into a function that draws milliseconds.
 */
import { normal, type Random } from '../../protocol/index.js';
import type { LatencySpec } from './db-spec.js';

/** Draws one latency, in milliseconds (finite, ≥ 0). */
export type LatencySampler = () => number;

type LatencyDist = LatencySpec['dist'];
type SpecOf<D extends LatencyDist> = Extract<LatencySpec, { dist: D }>;
type SamplerFactory<D extends LatencyDist> = (spec: SpecOf<D>, random: Random) => LatencySampler;

/** The standard normal quantile at 0.99, used to turn a lognormal's p50 and p99 into mu and sigma. */
export const z99 = 2.326347874;

/**
 * Samples are capped at the largest delay `setTimeout` honours (2^31 − 1 ms); beyond it Node fires
 * the timer after 1 ms instead, which would turn an extreme tail into an instant answer.
 */
export const maxLatencyMs = 2_147_483_647;

/**
 * The samplers, keyed by the `dist` name used in scenario files:
 * - `constant` {ms}: always `ms`;
 * - `uniform` {minMs, maxMs}: uniform in [minMs, maxMs);
 * - `normal` {meanMs, sdMs}: normal, truncated at 0 (negative draws are drawn again, so when sdMs
 *   is large against meanMs the observed mean lies above meanMs);
 * - `lognormal` {p50Ms, p99Ms}: mu = ln p50Ms, sigma = (ln p99Ms − ln p50Ms) / z0.99;
 * - `exponential` {meanMs}: exponential with that mean.
 */
export const latencySamplers: { readonly [D in LatencyDist]: SamplerFactory<D> } = {
  constant: ({ ms }) => {
    const value = cap(ms);
    return () => value;
  },
  uniform: ({ minMs, maxMs }, random) => {
    const span = maxMs - minMs;
    return () => cap(minMs + random.next() * span);
  },
  normal:
    ({ meanMs, sdMs }, random) =>
    () => {
      // meanMs ≥ 0, so at least half of all draws are accepted: the loop ends quickly.
      for (;;) {
        const x = meanMs + sdMs * normal(random);
        if (x >= 0) return cap(x);
      }
    },
  lognormal: ({ p50Ms, p99Ms }, random) => {
    const mu = Math.log(p50Ms);
    const sigma = (Math.log(p99Ms) - mu) / z99;
    if (sigma === 0) return () => cap(p50Ms); // exp(ln x) need not give back x exactly
    return () => cap(Math.exp(mu + sigma * normal(random)));
  },
  exponential:
    ({ meanMs }, random) =>
    () =>
      cap(-meanMs * Math.log(1 - random.next())),
};

/** Builds a sampler drawing from `spec` with `random`; every sample is finite and ≥ 0 ms. */
export function createLatencySampler(spec: LatencySpec, random: Random): LatencySampler {
  const factory = latencySamplers[spec.dist] as SamplerFactory<LatencyDist>;
  return factory(spec, random);
}

function cap(ms: number): number {
  return ms < maxLatencyMs ? ms : maxLatencyMs;
}
