import type { ToxicKind } from '../toxic.js';

/**
 * `timeout`: stops all data and closes the connection `timeout` ms after the toxic takes hold of
 * it. With `timeout: 0` the connection stays open and the data is held until the toxic is removed.
 */
export const timeoutToxic: ToxicKind = {
  type: 'timeout',
  defaults: { timeout: 0 },
  start({ timeout = 0 }, env) {
    if (timeout > 0) {
      const timer = setTimeout(() => env.close(), timeout);
      env.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
    const removed = new Promise<void>((resolve) => {
      if (env.signal.aborted) resolve();
      else env.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return {
      async chunk(chunk, next) {
        await removed;
        await next(chunk);
      },
    };
  },
};
