/**
 * Per-request bookkeeping, in hooks on every route:
 *
 * - onRequest (one hook): starts the request's deadline (`server.requestTimeoutMs`) as an
 *   AbortSignal on `request.deadline` (lazy: no timer until something reads the signal, so a
 *   cache hit starts none), counts the request in flight, and admits it (below);
 * - the raw response's `close` (which fires whether the response finished or the client went
 *   away; one listener per request) clears the deadline's timer, counts the request out and gives
 *   its admission slot back;
 * - onSend: while the service drains, answers with `Connection: close` so keep-alive clients
 *   leave (docs/measured-facts.md: `server.close()` does not end busy keep-alive connections);
 * - onResponse: counts the finished response once in `http_requests_total`;
 * - admission (every route but the probes and /metrics): at most `server.maxInFlight` run at
 *   once, `server.queueMax` more wait up to `server.queueTimeoutMs`, the rest get 503 with
 *   Retry-After at once, before the body is read (resilience/admission-gate.ts);
 * - load shedding (@fastify/under-pressure, when a `server.shed` limit is set): 503 with
 *   Retry-After while the event-loop delay or the heap in use is over its limit. It runs after
 *   admission (plugin hooks come after the app's own); a shed request gives its slot back at once.
 *
 * Every refusal is counted in `http_requests_shed_total{reason}`.
 *
 * A cache hit answered before fastify (http/cache-hit-path.ts) runs none of these hooks: it takes
 * its admission slot and in-flight count through `runAtOnce` and is counted by that path itself.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createDeadline, type Deadline } from '../deadline.js';
import { serviceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import { createAdmissionGate, type ShedReason } from '../resilience/index.js';
import { sendError } from './error-reply.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's deadline; its signal flows down to the cache and the store. */
    deadline: Deadline;
    /** The route pattern the request matched, or "unmatched", as `http_requests_total` labels it. */
    metricsRoute: string;
  }
}

export interface RequestHooksOptions {
  /** Deadline of a whole request, in ms. */
  requestTimeoutMs: number;
  metrics: Pick<ServiceMetrics, 'httpResponse' | 'shed'>;
  /** True once the service has begun to drain. */
  isDraining: () => boolean;
  admission: { maxInFlight: number; queueMax: number; queueTimeoutMs: number };
  /** Limits that shed load; 0 turns one off. */
  shed: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number };
}

// Probes and scrapes must answer however loaded the service is.
const unguardedRoutes = new Set(['/health', '/ready', '/metrics']);

/** Answers 503 overloaded with Retry-After and counts the reason. */
function refuse(reply: FastifyReply, metrics: Pick<ServiceMetrics, 'shed'>, reason: ShedReason): void {
  metrics.shed(reason);
  reply.header('retry-after', '1');
  sendError(reply, 503, 'overloaded', `request shed: ${reason}`);
}

/** Counts of requests the hooks track. */
export interface RequestTracker {
  /** Requests received and not yet finished or abandoned. */
  inFlight(): number;
  /**
   * Runs `work` (which tries to answer a request synchronously, outside fastify, and says whether
   * it did) under the same admission and in-flight count as a request through the hooks, when a
   * slot is free now: it holds the slot and counts in flight while it runs; returns what `work`
   * returned. False, and `work` not run, when every slot is held: the request must then go
   * through fastify, to wait for a slot or be refused as usual.
   */
  runAtOnce(work: () => boolean): boolean;
}

/** Installs the hooks on `app` (before any route is registered). */
export function installRequestHooks(app: FastifyInstance, options: RequestHooksOptions): RequestTracker {
  const { requestTimeoutMs, metrics, isDraining, admission, shed } = options;
  const deadlineReason = () =>
    serviceError('deadline_exceeded', `request took longer than ${requestTimeoutMs} ms`);
  let inFlight = 0;

  // fastify wants decorations declared up front; null until onRequest sets the real one.
  app.decorateRequest('deadline', null as unknown as Deadline);
  app.decorateRequest('metricsRoute', '');

  const gate = createAdmissionGate(admission);
  // One hook and one 'close' listener per request: deadline, in-flight count and admission.
  app.addHook('onRequest', (request, reply, done) => {
    inFlight++;
    const deadline = createDeadline(requestTimeoutMs, deadlineReason);
    request.deadline = deadline;
    // The route pattern, read once (fastify's routeOptions builds an object on every read).
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    request.metricsRoute = route;
    if (unguardedRoutes.has(route)) {
      reply.raw.once('close', () => {
        inFlight--;
        deadline.dispose();
      });
      return done();
    }
    let release: (() => void) | undefined;
    const cancel = gate.admit(
      (granted) => {
        release = granted;
        done();
      },
      (reason) => refuse(reply, metrics, reason),
    );
    reply.raw.once('close', () => {
      inFlight--;
      deadline.dispose();
      cancel?.();
      release?.();
    });
  });

  if (shed.maxEventLoopDelayMs > 0 || shed.maxHeapUsedBytes > 0) {
    void app.register(underPressure, {
      maxEventLoopDelay: shed.maxEventLoopDelayMs,
      maxHeapUsedBytes: shed.maxHeapUsedBytes,
      sampleInterval: 100,
      // Answering here ends the request: fastify runs nothing more once the reply is sent.
      pressureHandler: (request, reply, type) => {
        if (unguardedRoutes.has(request.metricsRoute)) return;
        refuse(reply, metrics, type === underPressure.TYPE_HEAP_USED_BYTES ? 'heap' : 'event_loop_delay');
      },
    });
  }

  app.addHook('onSend', (_request, reply, payload, done) => {
    if (isDraining()) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpResponse(request.method, request.metricsRoute, reply.statusCode);
    done();
  });

  return {
    inFlight: () => inFlight,
    runAtOnce(work) {
      const release = gate.tryTake();
      if (release === undefined) return false;
      inFlight++;
      try {
        return work();
      } finally {
        inFlight--;
        release();
      }
    },
  };
}
