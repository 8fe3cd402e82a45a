import type { ToxicKind } from '../toxic.js';

/** `limit_data`: passes the first `bytes` bytes of the direction, then closes the connection. */
export const limitDataToxic: ToxicKind = {
  type: 'limit_data',
  defaults: { bytes: 0 },
  start({ bytes = 0 }, env) {
    let passed = 0;
    return {
      async chunk(chunk, next) {
        const room = bytes - passed;
        if (room <= 0) {
          env.close();
          return;
        }
        const data = chunk.data.length > room ? chunk.data.subarray(0, room) : chunk.data;
        passed += data.length;
        await next({ data, at: chunk.at });
        if (passed >= bytes) env.close();
      },
    };
  },
};
