/**
 * Ctrl-C and SIGTERM: the first stops the run gracefully (children stopped, results written,
 * exit 130); a second one exits at once — the children notice their parent is gone and stop.
 */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(notify: (message: string) => void): Interrupt {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      notify(`${sig} again: exiting now`);
      process.exit(130);
    }
    notify(`${sig}: stopping the run and writing what was measured (again to exit at once)`);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
