import { sleepUntil, type ToxicKind } from '../toxic.js';

/**
 * `latency`: delays each chunk by `latency` ms ± a uniform `jitter` ms, counted from the moment the
 * chunk reached the proxy, so back-to-back chunks are delayed side by side rather than one after
 * another. Never early; order is kept (a chunk never overtakes an earlier one).
 */
export const latencyToxic: ToxicKind = {
  type: 'latency',
  defaults: { latency: 0, jitter: 0 },
  start({ latency = 0, jitter = 0 }, env) {
    return {
      async chunk(chunk, next) {
        const delay = Math.max(0, latency + (jitter > 0 ? (env.random.next() * 2 - 1) * jitter : 0));
        await sleepUntil(chunk.at + delay, env.now, env.signal);
        await next(chunk);
      },
    };
  },
};
