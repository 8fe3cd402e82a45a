/**
 * The simulated recommendations API: `GET /recommendations/:userId` answers a few item ids
 * (the same ones for a user on every call), through a fixed number of service slots with a
 * modelled latency; a share of answers fail with 500, and with `hang` nothing is ever answered.
 * /health and /stats bypass the model.
 *
 *   request ──▶ [ queue (FIFO) ] ──▶ [ slot 1..capacity ] ── latency ──▶ 200 | 500 (errorRatio)
 *                                         hang: held until the client leaves
 *
 * The slots and the queue are the FIFO permit queue the service's own gates use
 * (protocol/fifo-permits.ts), with no bound and no timeout; a request whose client leaves while
 * it waits leaves the queue.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createFifoPermits, createRandom, deriveSeed, type Release } from '../../protocol/index.js';
import { createLatencySampler } from './latency.js';
import type { RecsSimSpec } from './recs-spec.js';

/** Counters of the simulated recommendations API since it started. */
export interface RecsSimStats {
  /** Requests for recommendations received (answered, failed, hanging or abandoned). */
  received: number;
  /** Answered with an injected 500. */
  errors: number;
  /** Holding a slot or hanging now. */
  inService: number;
  queued: number;
  /** TCP connections open now, and the most ever open at once. */
  connections: number;
  maxConnections: number;
}

export interface RecsSimulator {
  /** Starts listening (default 127.0.0.1, port 0) and resolves to the base URL. */
  listen(host?: string, port?: number): Promise<string>;
  /** Closes the server and every connection. */
  close(): Promise<void>;
  stats(): RecsSimStats;
}

/** Items per answer. */
const itemsPerUser = 5;

/** Builds a simulated recommendations API; call `listen` to start it. */
export function createRecsSimulator(spec: RecsSimSpec, options: { seed: number }): RecsSimulator {
  const sampleLatency = createLatencySampler(
    spec.latency,
    createRandom(deriveSeed(options.seed, 'recs-latency')),
  );
  const errorRandom = createRandom(deriveSeed(options.seed, 'recs-errors'));
  const counters = { received: 0, errors: 0, connections: 0, maxConnections: 0 };
  const slots = createFifoPermits({ capacity: spec.capacity });
  const stats = (): RecsSimStats => ({ ...counters, inService: slots.held(), queued: slots.waiting() });
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const answer = (res: ServerResponse, userId: number): void => {
    if (spec.errorRatio > 0 && errorRandom.next() < spec.errorRatio) {
      counters.errors++;
      return send(res, 500, { error: 'injected' });
    }
    const items = Array.from(
      { length: itemsPerUser },
      (_, i) => ((userId * 7919 + i * 104_729) % 1_000_000) + 1,
    );
    send(res, 200, { userId, items });
  };

  const serve = (res: ServerResponse, userId: number, release: Release): void => {
    // Closing the response (answered, or the client gone) gives the slot to the next in line.
    res.once('close', release);
    if (spec.hang) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) answer(res, userId);
      release();
    }, sampleLatency());
    timers.add(timer);
  };

  const admit = (res: ServerResponse, userId: number): void => {
    // Refused only once closed: nothing is answered then.
    const leave = slots.acquire(
      (release) => serve(res, userId, release),
      () => undefined,
    );
    if (leave !== undefined) res.once('close', leave);
  };

  const server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, noDelay: true },
    (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/health') return send(res, 200, { status: 'ok' });
      if (path === '/stats') return send(res, 200, stats());
      const match = /^\/recommendations\/([1-9]\d{0,15})$/.exec(path);
      if (match === null) return send(res, 404, { error: 'not_found' });
      if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
      counters.received++;
      admit(res, Number(match[1]));
    },
  );
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    counters.connections++;
    counters.maxConnections = Math.max(counters.maxConnections, counters.connections);
    socket.once('close', () => {
      sockets.delete(socket);
      counters.connections--;
    });
  });

  return {
    listen(host = '127.0.0.1', port = 0) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolve(
            `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
          );
        });
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      slots.close();
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    stats,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
