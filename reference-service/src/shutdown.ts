/**
 * Graceful drain, bounded in time:
 *
 *   shutdown(reason)
 *     1. readiness -> draining: /ready answers 503, every response carries Connection: close
 *     2. app.close(): stop accepting connections, close idle keep-alive sockets, answer requests
 *        that arrive on open sockets with 503; in-flight requests run to completion
 *     3. past drainTimeoutMs: cut every remaining connection
 *     4. close the dependencies (the store's pool)
 *
 * Calling it again returns the same promise.
 */
import type { Server } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';

export interface ShutdownOptions {
  /** Stops the HTTP server; resolves once every connection has closed (fastify's `close`). */
  closeServer: () => Promise<void>;
  server: Server;
  /** Longest drain, in ms, before remaining connections are cut. */
  drainTimeoutMs: number;
  /** Marks the service as draining. */
  beginDrain: () => void;
  /** Closes what the service depends on, after the server has closed. */
  closeDependencies: () => Promise<void>;
  logger: FastifyBaseLogger;
}

/** Builds the service's idempotent `shutdown(reason)`. */
export function createShutdown(options: ShutdownOptions): (reason: string) => Promise<void> {
  const { closeServer, server, drainTimeoutMs, beginDrain, closeDependencies, logger } = options;
  let done: Promise<void> | undefined;

  const drain = async (reason: string): Promise<void> => {
    const startedAt = performance.now();
    logger.info({ reason, drainTimeoutMs }, 'draining');
    beginDrain();
    const cutTimer = setTimeout(() => {
      logger.warn({ drainTimeoutMs }, 'drain timed out; closing remaining connections');
      server.closeAllConnections();
    }, drainTimeoutMs);
    try {
      await closeServer();
    } finally {
      clearTimeout(cutTimer);
      await closeDependencies();
    }
    logger.info({ ms: Math.round(performance.now() - startedAt) }, 'drained');
  };

  return (reason) => (done ??= drain(reason));
}
