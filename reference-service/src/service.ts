/**
 * Builds the reference service from its config: store client behind a pool gate, cache, use
 * cases, routes, metrics and graceful shutdown. It touches nothing global, so tests run it
 * in-process and main.ts runs it as a child process.
 *
 *   HTTP ─▶ cache-hit path (GET /users/:id answered from the cache; http/cache-hit-path.ts)
 *     └──▶ else: fastify: hooks (deadline, in-flight, admission, shedding) ─▶ routes
 *     routes ─▶ users ─▶ user cache ─▶ db client ─▶ pool gate (permits, FIFO queue) ─▶ undici Pool ─▶ store
 *     routes ─▶ profiles ─┬─▶ users (as above)
 *                         └─▶ recs client (cockatiel): retry + budget ─▶ breaker ─▶ timeout ─▶ bulkhead ─▶ undici Pool
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createStore } from './adapters/store.js';
import { createPoolGate } from './adapters/pool-gate.js';
import { createRecsClient } from './adapters/recs-client.js';
import { createProfiles } from './app/profile.js';
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { createUserCache } from './adapters/user-cache.js';
import { createUsers } from './app/users.js';
import type { ServiceConfig } from '../../protocol/index.js';
import { createCacheHitPath, type CacheHitPath } from './http/cache-hit-path.js';
import { installErrorReplies } from './http/error-reply.js';
import { lazyChildLoggerFactory } from './http/lazy-child-logger.js';
import { installRequestHooks } from './http/request-hooks.js';
import { registerRoutes, type Readiness } from './http/routes.js';
import { createServiceMetrics } from './metrics.js';
import { createShutdown } from './shutdown.js';

/** What the service can be given instead of building it itself. */
export interface ServiceDeps {
  /** The service's log (default: pino at `knobs.log.level`, to stdout). */
  logger?: Logger;
}

/** A built, not yet listening, reference service. */
export interface Service {
  readonly app: FastifyInstance;
  /** The service's own Prometheus registry, served at /metrics. */
  readonly registry: Registry;
  /** Starts listening on `config.host:config.port`; resolves with the base URL. */
  listen(): Promise<string>;
  /** Drains and stops (bounded by `server.drainTimeoutMs`); idempotent. */
  shutdown(reason: string): Promise<void>;
  readiness(): Readiness;
}

/** Builds the reference service; call `listen()` to start it. */
export function buildService(config: ServiceConfig, deps: ServiceDeps = {}): Service {
  const { knobs } = config;
  const logger = deps.logger ?? pino({ level: knobs.log.level });
  let readiness: Readiness = 'starting';
  const requestLogging = logger.isLevelEnabled('debug');
  // Set once the pieces it needs are built; until then every request goes to fastify.
  let cacheHitPath: CacheHitPath | undefined;

  const app = fastify({
    // The HTTP/1 server fastify would make, with the cache-hit path first. Node's limits on
    // receiving a request are set here (fastify leaves a server it did not make as it is); the
    // check interval is what makes them bite (docs/measured-facts.md: every 30 s by default, so
    // a slow-headers client was cut 28 s late).
    serverFactory: (handler) => {
      const server = createServer(
        {
          headersTimeout: knobs.server.headersTimeoutMs,
          connectionsCheckingInterval: knobs.server.connectionsCheckingIntervalMs,
        },
        (request: IncomingMessage, response: ServerResponse) => {
          if (cacheHitPath === undefined || !cacheHitPath(request, response)) handler(request, response);
        },
      );
      server.requestTimeout = knobs.server.receiveTimeoutMs;
      return server;
    },
    // Typed as fastify's logger interface so the app is a plain FastifyInstance.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: !requestLogging }),
    // With request logging off most requests never log: make their child logger only if one does.
    ...(requestLogging ? {} : { childLoggerFactory: lazyChildLoggerFactory }),
    bodyLimit: knobs.server.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: knobs.server.keepAliveTimeoutMs,
  });
  // fastify treats 0 as "use the default"; Node's own meaning of 0 (no timeout) is the knob's.
  app.server.keepAliveTimeout = knobs.server.keepAliveTimeoutMs;

  const metrics = createServiceMetrics();
  const gate = createPoolGate({ ...knobs.db.pool, onAcquired: metrics.poolAcquireWait });
  // The simulated database over HTTP, or PostgreSQL: chosen by the scheme of config.dbUrl.
  const db = createStore(config, {
    gate,
    onCall: metrics.dbCall,
    onConnectionError: (err) => {
      metrics.storeConnectionError();
      logger.warn({ err }, 'store connection error');
    },
  });
  const cache = createUserCache({ ...knobs.cache, load: db.get, onResult: metrics.cacheResult });
  const users = createUsers({ store: db, cache });
  const recsKnobs = knobs.recommendations;
  const random = createRandom(deriveSeed(config.seed, 'recs-backoff'));
  const recs =
    config.recsUrl === undefined
      ? undefined
      : createRecsClient({
          ...recsKnobs,
          recsUrl: config.recsUrl,
          now: () => performance.now(),
          random: () => random.next(),
          onAttempt: metrics.recsAttempt,
          onRetry: metrics.recsRetry,
          onBudgetExhausted: metrics.recsBudgetExhausted,
          onBreakerChange: metrics.recsBreakerTransition,
        });
  const profiles = createProfiles({ users, recs, fallback: recsKnobs.fallback });

  const tracker = installRequestHooks(app, {
    requestTimeoutMs: knobs.server.requestTimeoutMs,
    metrics,
    isDraining: () => readiness === 'draining',
    admission: knobs.server,
    shed: knobs.server.shed,
  });
  metrics.track({
    pool: gate.counts,
    inFlight: tracker.inFlight,
    breaker: () => recs?.breakerState() ?? 'closed',
    storeConnections: db.connections,
  });
  installErrorReplies(app);
  registerRoutes(app, { users, profiles, registry: metrics.registry, readiness: () => readiness });
  const shedding = knobs.server.shed.maxEventLoopDelayMs > 0 || knobs.server.shed.maxHeapUsedBytes > 0;
  const server = app.server;
  if (!requestLogging) {
    cacheHitPath = createCacheHitPath({
      users,
      tracker,
      metrics,
      open: () =>
        readiness === 'ready' &&
        server.listening &&
        !(shedding && (app as { isUnderPressure?: () => boolean }).isUnderPressure?.() === true),
    });
  }

  const shutdown = createShutdown({
    closeServer: () => app.close(),
    server: app.server,
    drainTimeoutMs: knobs.server.drainTimeoutMs,
    beginDrain: () => {
      readiness = 'draining';
    },
    closeDependencies: async () => {
      await Promise.all([db.close(), recs?.close()]);
    },
    logger,
  });

  return {
    app,
    registry: metrics.registry,
    async listen() {
      await db.start();
      await app.listen({ host: config.host, port: config.port });
      if (readiness === 'starting') readiness = 'ready';
      return baseUrl(app.server.address() as AddressInfo);
    },
    shutdown,
    readiness: () => readiness,
  };
}

/** The URL a client on this host uses to reach `address` (a wildcard address means loopback). */
function baseUrl(address: AddressInfo): string {
  const ipv6 = address.family === 'IPv6' || address.address.includes(':');
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${ipv6 ? `[${host}]` : host}:${address.port}`;
}
