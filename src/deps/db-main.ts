/**
 * The simulated database as a child process. Config: JSON in LOADLAB_DB_CONFIG (see
 * db-config.ts). Once listening it sends the parent `{type:'ready', url, pid}` over IPC, or,
 * started by hand, prints `db simulator listening on <url>`. SIGTERM, SIGINT or the parent going
 * away (IPC disconnect) close it and exit 0. Exit 2: invalid config; exit 1: could not listen.
 */
import type { ReadyMessage } from '../shared/child-protocol.js';
import { dbConfigEnv } from '../shared/child-protocol.js';
import { parseDbChildConfig } from './db-config.js';
import { createDbSimulator } from './db-server.js';

function fail(message: string, code: number): void {
  process.stderr.write(`${message}\n`, () => process.exit(code));
}

async function main(): Promise<void> {
  const config = parseDbChildConfig(process.env[dbConfigEnv]);
  if ('problems' in config) {
    fail(`db simulator: invalid ${dbConfigEnv}:\n${config.problems.map((p) => `  ${p}`).join('\n')}`, 2);
    return;
  }
  const simulator = createDbSimulator(config.spec, { seed: config.seed });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`db simulator: close failed: ${String(error)}`, 1),
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
    fail(`db simulator: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`, 1);
    return;
  }
  // The parent left while we started: stop() is already closing us, and nobody is listening.
  if (stopping) return;
  if (process.send !== undefined) {
    const ready: ReadyMessage = { type: 'ready', url, pid: process.pid };
    // Without a callback a send on a channel closed meanwhile is an uncaught 'error' (exit 1);
    // the 'disconnect' handler is already stopping us.
    process.send(ready, undefined, {}, (error: Error | null) => {
      if (error !== null) process.stderr.write(`db simulator: could not report ready: ${error.message}\n`);
    });
  } else {
    process.stdout.write(`db simulator listening on ${url}\n`);
  }
}

main().catch((error: unknown) => fail(`db simulator: ${String(error)}`, 1));
