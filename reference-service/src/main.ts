/**
 * The reference service as a process: the composition root, and the only file of the service
 * that touches the process (env, stdout/stderr, signals, IPC, exit).
 *
 * - config: JSON in env LOADLAB_SERVICE_CONFIG; invalid -> every problem on stderr, exit 2
 * - listening: IPC `{type:'ready', url, pid}` when a parent listens, else one stdout line
 * - listen failure (e.g. EADDRINUSE), or the PostgreSQL store unreachable at start: stderr, exit 1,
 *   saying which of the two
 * - SIGTERM / SIGINT / parent gone (IPC disconnect): graceful drain, then exit 0;
 *   a second signal exits at once
 */
import { pino } from 'pino';
import { telemetryEnv, type ReadyMessage } from '../../protocol/index.js';
import { serviceConfigEnv } from '../../protocol/index.js';
import { parseServiceConfig } from './load-config.js';
import { buildService } from './service.js';
import { startRuntimeSampler } from './telemetry/index.js';

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
    fail(1, [startFailure(err, config)]);
  }
  if (stopping) return;
  if (process.send !== undefined) {
    const ready: ReadyMessage = { type: 'ready', url, pid: process.pid };
    // A parent that left before this arrives is handled by 'disconnect'; the send error is moot.
    process.send(ready, undefined, {}, (err: Error | null) => {
      if (err) logger.warn({ err }, 'could not report ready to the parent');
    });
    startTelemetry(service, logger);
  } else {
    process.stdout.write(`reference service listening on ${url}\n`);
  }
}

/**
 * Why `listen()` failed, told apart: the port (a listen error: EADDRINUSE, EACCES, EADDRNOTAVAIL),
 * or the PostgreSQL store, which `listen()` connects to and prepares first.
 */
function startFailure(err: unknown, config: { host: string; port: number; dbUrl: string }): string {
  // A refused connection to "localhost" is an AggregateError with no message of its own: use its code.
  const code = (err as { code?: unknown } | null)?.code;
  const message = (err instanceof Error ? err.message : String(err)) || String(code ?? err);
  if ((err as { syscall?: unknown } | null)?.syscall === 'listen') {
    return `could not listen on ${config.host}:${config.port}: ${message}`;
  }
  if (/^postgres(ql)?:/.test(config.dbUrl)) {
    const where = config.dbUrl.replace(/^(postgres(?:ql)?:\/\/[^:@/]+:)[^@/]*@/, '$1***@');
    return `the user store is unreachable: could not connect to and prepare the PostgreSQL at ${where}: ${message}`;
  }
  return `could not start: ${message}`;
}

/**
 * One runtime sample a second to the parent over the IPC channel (the cheapest path, docs/measured-facts.md);
 * env LOADLAB_TELEMETRY=off turns it off (the telemetry-overhead benchmark's control).
 */
function startTelemetry(
  service: ReturnType<typeof buildService>,
  logger: { warn: (obj: object, msg: string) => void },
): void {
  if (process.env[telemetryEnv] === 'off') return;
  const sampler = startRuntimeSampler({
    registry: service.registry,
    probe: {
      memoryUsage: () => process.memoryUsage(),
      cpuUsage: () => process.cpuUsage(),
      activeResources: () => process.getActiveResourcesInfo().length,
    },
    onSample: (message) => {
      if (!process.connected) return sampler.stop();
      // A sample lost to a closing channel is a gap in the series, nothing more.
      process.send?.(message, undefined, {}, () => {});
    },
    onError: (err) => logger.warn({ err }, 'telemetry: a second could not be sampled'),
  });
  process.once('disconnect', () => sampler.stop());
}

main().catch((err: unknown) => fail(1, [err instanceof Error ? (err.stack ?? err.message) : String(err)]));
