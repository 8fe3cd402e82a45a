/**
 * Per-request bookkeeping, in hooks on every route:
 *
 * - onRequest: starts the request's deadline (`server.requestTimeoutMs`) as an AbortSignal on
 *   `request.deadline`, and counts the request in flight;
 * - the raw response's `close` (which fires whether the response finished or the client went
 *   away) clears the deadline's timer and counts the request out;
 * - onSend: while the service drains, answers with `Connection: close` so keep-alive clients
 *   leave (FIELD-NOTES: `server.close()` does not end busy keep-alive connections);
 * - onResponse: counts the finished response once in `http_requests_total`.
 */
import type { FastifyInstance } from 'fastify';
import { createDeadline, type Deadline } from '../deadline.js';
import { serviceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's deadline; its signal flows down to the cache and the store. */
    deadline: Deadline;
  }
}

export interface RequestHooksOptions {
  /** Deadline of a whole request, in ms. */
  requestTimeoutMs: number;
  metrics: Pick<ServiceMetrics, 'httpResponse'>;
  /** True once the service has begun to drain. */
  isDraining: () => boolean;
}

/** Counts of requests the hooks track. */
export interface RequestTracker {
  /** Requests received and not yet finished or abandoned. */
  inFlight(): number;
}

/** Installs the hooks on `app` (before any route is registered). */
export function installRequestHooks(app: FastifyInstance, options: RequestHooksOptions): RequestTracker {
  const { requestTimeoutMs, metrics, isDraining } = options;
  const deadlineReason = () =>
    serviceError('deadline_exceeded', `request took longer than ${requestTimeoutMs} ms`);
  let inFlight = 0;

  // fastify wants decorations declared up front; null until onRequest sets the real one.
  app.decorateRequest('deadline', null as unknown as Deadline);

  app.addHook('onRequest', (request, reply, done) => {
    inFlight++;
    const deadline = createDeadline(requestTimeoutMs, deadlineReason);
    request.deadline = deadline;
    reply.raw.once('close', () => {
      inFlight--;
      deadline.dispose();
    });
    done();
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    if (isDraining()) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    metrics.httpResponse(request.method, route, reply.statusCode);
    done();
  });

  return { inFlight: () => inFlight };
}
