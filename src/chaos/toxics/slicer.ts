import { sleepUntil, type ToxicKind } from '../toxic.js';

/**
 * `slicer`: cuts each chunk into pieces of `average_size` ± `size_variation` bytes, sent `delay`
 * µs apart — for clients that assume one read holds one message.
 */
export const slicerToxic: ToxicKind = {
  type: 'slicer',
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  start({ average_size = 0, size_variation = 0, delay = 0 }, env) {
    const variation = Math.min(size_variation, Math.max(0, average_size - 1));
    return {
      async chunk(chunk, next) {
        if (average_size <= 0) return next(chunk);
        let offset = 0;
        while (offset < chunk.data.length) {
          if (offset > 0 && delay > 0) await sleepUntil(env.now() + delay / 1000, env.now, env.signal);
          const size = Math.max(1, Math.round(average_size + (env.random.next() * 2 - 1) * variation));
          await next({ data: chunk.data.subarray(offset, offset + size), at: chunk.at });
          offset += size;
        }
      },
    };
  },
};
