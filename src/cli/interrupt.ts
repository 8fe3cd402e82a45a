import { ExitCode } from '../shared/index.js';

/**
 * Ctrl-C and SIGTERM: the first stops the command gracefully (for `run`: children stopped,
 * results written, exit 130); a second one exits at once — the children notice their parent is
 * gone and stop.
 */
export interface Interrupt {
  /** Aborted by the first signal, with the reason "SIGINT received" or "SIGTERM received". */
  signal: AbortSignal;
  /** The signal that arrived first, once one has. */
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM. `stopping` is what the command says it does on the first one
 * ("stopping the run and writing what was measured" for `run`, "stopping" for the servers).
 */
export function onInterrupt(notify: (message: string) => void, stopping = 'stopping'): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      notify(`${sig} again: exiting now`);
      process.exit(ExitCode.interrupted);
    }
    received = sig;
    notify(`${sig}: ${stopping} (again to exit at once)`);
    controller.abort(`${sig} received`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Exit status of a server command (`serve`, `proxy`) stopped by `sig`: 130 for Ctrl-C, 0 for SIGTERM (a service manager's normal stop). */
export function serverStopCode(sig: NodeJS.Signals | undefined): number {
  return sig === 'SIGINT' ? ExitCode.interrupted : ExitCode.ok;
}
