/**
 * Think time of the closed model: how long a connection waits after an answer before it sends
 * its next request. A fixed duration or a seeded distribution, all in milliseconds.
 */
import type { Random } from '../../protocol/index.js';

/** A think time as the plan carries it: fixed, uniform in [minMs, maxMs], or exponential with mean `meanMs`. */
export type ThinkTimeSpec =
  | { dist: 'constant'; ms: number }
  | { dist: 'uniform'; minMs: number; maxMs: number }
  | { dist: 'exponential'; meanMs: number };

/** A sampler of think times (ms), or undefined when there is none (the next request goes at once). */
export function thinkTimeSampler(
  spec: ThinkTimeSpec | undefined,
  random: Random,
): (() => number) | undefined {
  if (spec === undefined) return undefined;
  switch (spec.dist) {
    case 'constant':
      return spec.ms > 0 ? () => spec.ms : undefined;
    case 'uniform':
      return () => spec.minMs + random.next() * (spec.maxMs - spec.minMs);
    case 'exponential':
      return () => -Math.log(1 - random.next()) * spec.meanMs;
  }
}
