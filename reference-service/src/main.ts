/**
 * The reference service as a process: the composition root, and the only file of the service
 * that touches the process (env, stdout/stderr, signals, IPC, exit).
 *
 * - config: JSON in env LOADLAB_SERVICE_CONFIG; invalid -> every problem on stderr, exit 2
 * - listening: IPC `{type:'ready', url, pid}` when a parent listens, else one stdout line
 * - listen failure (e.g. EADDRINUSE): stderr, exit 1
 * - SIGTERM / SIGINT / parent gone (IPC disconnect): graceful drain, then exit 0;
 *   a second signal exits at once
 */
import { pino } from 'pino';
import type { ReadyMessage } from '../../src/shared/child-protocol.js';
import { serviceConfigEnv } from './config.js';
import { parseServiceConfig } from './load-config.js';
import { buildService } from './service.js';

const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

function fail(exitCode: number, lines: string[]): never {
  process.stderr.write(`reference service: ${lines.join('\n  ')}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const parsed = parseServiceConfig(process.env[serviceConfigEnv]);
  if (!parsed.ok) fail(2, ['invalid config', ...parsed.problems]);
  const { config } = parsed;

  const logger = pino({ level: config.knobs.log.level });
  const service = buildService(config, { logger });

  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    service.shutdown(reason).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without draining');
        process.exit(signalExitCodes[signal]);
      }
      stop(signal);
    });
  }
  // The parent is gone (or let go of us): nobody will stop us, so stop ourselves.
  process.on('disconnect', () => stop('parent disconnected'));
  // A parent that left while this module was still loading emitted 'disconnect' to nobody.
  if (process.send !== undefined && !process.connected) stop('parent disconnected');

  let url: string;
  try {
    url = await service.listen();
  } catch (err) {
    fail(1, [
      `could not listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`,
    ]);
  }
  if (stopping) return;
  if (process.send !== undefined) {
    const ready: ReadyMessage = { type: 'ready', url, pid: process.pid };
    // A parent that left before this arrives is handled by 'disconnect'; the send error is moot.
    process.send(ready, undefined, {}, (err: Error | null) => {
      if (err) logger.warn({ err }, 'could not report ready to the parent');
    });
  } else {
    process.stdout.write(`reference service listening on ${url}\n`);
  }
}

main().catch((err: unknown) => fail(1, [err instanceof Error ? (err.stack ?? err.message) : String(err)]));
