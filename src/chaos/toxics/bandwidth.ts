import { sleepUntil, type ToxicKind } from '../toxic.js';

/** Longest stretch of transfer one piece stands for, ms; bigger chunks are cut so flow stays smooth. */
const pieceMs = 20;

/**
 * `bandwidth`: limits the direction to `rate` KB/s (1 KB = 1000 bytes, as in Toxiproxy). Each
 * piece leaves when the link would have finished sending it; idle time is not saved up.
 */
export const bandwidthToxic: ToxicKind = {
  type: 'bandwidth',
  defaults: { rate: 0 },
  start({ rate = 0 }, env) {
    const bytesPerMs = rate; // KB/s = bytes/ms
    let free = 0; // when the simulated link finishes what it has already been given
    return {
      async chunk(chunk, next) {
        if (bytesPerMs <= 0) return next(chunk);
        const pieceBytes = Math.max(1, Math.floor(bytesPerMs * pieceMs));
        for (let offset = 0; offset < chunk.data.length; offset += pieceBytes) {
          const piece = chunk.data.subarray(offset, offset + pieceBytes);
          // From the chunk's arrival, not from now: a late wake-up must not push later pieces back.
          free = Math.max(free, chunk.at) + piece.length / bytesPerMs;
          await sleepUntil(free, env.now, env.signal);
          await next({ data: piece, at: chunk.at });
        }
      },
    };
  },
};
