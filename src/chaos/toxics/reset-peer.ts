import type { ToxicKind } from '../toxic.js';

/**
 * `reset_peer`: `timeout` ms after the toxic takes hold of a connection, resets both sides (TCP
 * RST, so peers see ECONNRESET rather than a clean close). Data flows until then.
 */
export const resetPeerToxic: ToxicKind = {
  type: 'reset_peer',
  defaults: { timeout: 0 },
  start({ timeout = 0 }, env) {
    const timer = setTimeout(() => env.reset(), timeout);
    env.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    return {};
  },
};
