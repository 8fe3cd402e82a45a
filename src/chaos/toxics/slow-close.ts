import { sleepUntil, type ToxicKind } from '../toxic.js';

/** `slow_close`: when the source closes its side, waits `delay` ms before passing the close on. */
export const slowCloseToxic: ToxicKind = {
  type: 'slow_close',
  defaults: { delay: 0 },
  start({ delay = 0 }, env) {
    return {
      async end() {
        await sleepUntil(env.now() + delay, env.now, env.signal);
      },
    };
  },
};
