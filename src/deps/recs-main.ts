/**
 * The simulated recommendations API as a child process. Config: JSON in LOADLAB_RECS_CONFIG (see
 * recs-spec.ts). Once listening it sends the parent `{type:'ready', url, pid}` over IPC, or,
 * started by hand, prints `recs simulator listening on <url>`. SIGTERM, SIGINT or the parent going
 * away (IPC disconnect) close it and exit 0. Exit 2: invalid config; exit 1: could not listen.
 */
import type { ReadyMessage } from '../shared/child-protocol.js';
import { createRecsSimulator } from './recs-server.js';
import { parseRecsChildConfig, recsConfigEnv } from './recs-spec.js';

function fail(message: string, code: number): void {
  process.stderr.write(`${message}\n`, () => process.exit(code));
}

async function main(): Promise<void> {
  const config = parseRecsChildConfig(process.env[recsConfigEnv]);
  if ('problems' in config) {
    fail(`recs simulator: invalid ${recsConfigEnv}:\n${config.problems.map((p) => `  ${p}`).join('\n')}`, 2);
    return;
  }
  const simulator = createRecsSimulator(config.spec, { seed: config.seed });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`recs simulator: close failed: ${String(error)}`, 1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  // A parent that left while this module was still loading emitted 'disconnect' to nobody.
  if (process.send !== undefined && !process.connected) stop();

  let url: string;
  try {
    url = await simulator.listen(config.host, config.port);
  } catch (error) {
    fail(`recs simulator: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`, 1);
    return;
  }
  // The parent left while we started: stop() is already closing us, and nobody is listening.
  if (stopping) return;
  if (process.send !== undefined) {
    const ready: ReadyMessage = { type: 'ready', url, pid: process.pid };
    // Without a callback a send on a channel closed meanwhile is an uncaught 'error' (exit 1);
    // the 'disconnect' handler is already stopping us.
    process.send(ready, undefined, {}, (error: Error | null) => {
      if (error !== null) process.stderr.write(`recs simulator: could not report ready: ${error.message}\n`);
    });
  } else {
    process.stdout.write(`recs simulator listening on ${url}\n`);
  }
}

main().catch((error: unknown) => fail(`recs simulator: ${String(error)}`, 1));
