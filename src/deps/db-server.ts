/**
 * The simulated database: an HTTP server with a fixed number of service slots. A request to
 * /users waits in a FIFO queue for a slot, holds it for a latency drawn from the spec (stretched
 * by the contention model when more than `capacity` requests are open: db-contention.ts), and is
 * then answered (or failed, with probability `errorRatio`). /health and /stats bypass the model.
 *
 *   GET    /users/:id  200 user | 404
 *   POST   /users      201 user; with `Idempotency-Key`: a retry with the same body 200 (the first
 *                      answer, nothing created), another body 422 idempotency_mismatch
 *   PUT    /users/:id  200 user (replaced) | 404
 *   DELETE /users/:id  204 | 404
 *
 *   request ──▶ [ queue (FIFO, unbounded) ] ──▶ [ slot 1..capacity ] ── latency × stretch(open) ──▶ answer
 *                   │ client gone: dropped          (errorRatio: 500 {"error":"injected"})
 *
 * The slots and the queue are the FIFO permit queue the service's own gates use
 * (protocol/fifo-permits.ts), with no bound and no timeout: a simulated database serves
 * `capacity` requests at once and the rest wait in order.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFifoPermits, createRandom, deriveSeed, type Release } from '../../protocol/index.js';
import type { DbSimSpec } from './db-spec.js';
import { createIdempotencyKeys } from './idempotency-keys.js';
import { contentionStretch } from './db-contention.js';
import { createLatencySampler, maxLatencyMs } from './latency.js';
import { createUserStore, userInputSchema, type User, type UserInput, type UserStore } from './user-store.js';

/** Counters of the simulated database since it started. */
export interface DbSimStats {
  /** Requests that held a slot and were answered, injected errors included. */
  served: number;
  /** Requests answered with an injected 500. */
  errors: number;
  /** Requests holding a slot now. */
  inService: number;
  /** Requests waiting for a slot now. */
  queued: number;
  /** The most requests ever waiting at once. */
  maxQueued: number;
  /** The contention stretch of the requests open now, in service and queued (1: none). */
  stretch: number;
  /** The largest factor any request's latency was stretched by (1 until contention shows). */
  maxStretch: number;
}

/** A running (or ready to run) simulated database. */
export interface DbSimulator {
  /** Starts listening (default 127.0.0.1, port 0: a free port) and resolves to the base URL. */
  listen(host?: string, port?: number): Promise<string>;
  /** Closes the server and every connection; requests queued or in service are not answered. */
  close(): Promise<void>;
  stats(): DbSimStats;
}

export interface DbSimulatorOptions {
  /** Seed of the data set, the latency draws and the error draws. */
  seed: number;
  /** Clock of the Idempotency-Key memory, in ms (default Date.now). */
  now?: () => number;
}

/** How long an Idempotency-Key is remembered: 24 h, and at most {@link maxIdempotencyKeys} keys. */
export const idempotencyKeyTtlMs = 86_400_000;
/** Idempotency-Keys remembered at most; past it the oldest is forgotten. */
export const maxIdempotencyKeys = 100_000;

interface Reply {
  status: number;
  body: unknown;
}

type JobState = 'reading' | 'queued' | 'serving' | 'done' | 'gone';

interface Job {
  res: ServerResponse;
  state: JobState;
  clientGone: boolean;
  timer: NodeJS.Timeout | undefined;
  release: Release | undefined;
  /** Takes the job out of the queue while it waits. */
  leave: (() => void) | undefined;
  work: () => Reply;
}

/** Largest request body accepted, in bytes. */
const maxBodyBytes = 64 * 1024;

/** Builds a simulated database from a validated spec; call `listen` to start it. */
export function createDbSimulator(spec: DbSimSpec, options: DbSimulatorOptions): DbSimulator {
  const sampleLatency = createLatencySampler(
    spec.latency,
    createRandom(deriveSeed(options.seed, 'db-latency')),
  );
  const errorRandom = createRandom(deriveSeed(options.seed, 'db-errors'));
  const store = createUserStore(spec.users, options.seed);
  const keys = createIdempotencyKeys<User>({
    ttlMs: idempotencyKeyTtlMs,
    maxKeys: maxIdempotencyKeys,
    now: options.now ?? Date.now,
  });
  const create = (input: UserInput, key: string | undefined): Reply => {
    if (key === undefined) return reply(201, store.create(input));
    const request = JSON.stringify({ name: input.name, email: input.email ?? null });
    const seen = keys.get(key);
    if (seen !== undefined) {
      return seen.request === request
        ? reply(200, seen.answer)
        : reply(422, {
            error: 'idempotency_mismatch',
            message: 'this Idempotency-Key was used with another body',
          });
    }
    const user = store.create(input);
    keys.set(key, { request, answer: user });
    return reply(201, user);
  };
  const counters = { served: 0, errors: 0, maxStretch: 1 };
  const slots = createFifoPermits({ capacity: spec.capacity });
  const serving = new Set<Job>();

  const start = (job: Job, release: Release): void => {
    job.state = 'serving';
    job.leave = undefined;
    job.release = release;
    serving.add(job);
    const stretch = contentionStretch(spec.contention, spec.capacity, slots.held() + slots.waiting());
    if (stretch > counters.maxStretch) counters.maxStretch = stretch;
    job.timer = setTimeout(finish, Math.min(sampleLatency() * stretch, maxLatencyMs), job);
  };

  const finish = (job: Job): void => {
    serving.delete(job);
    counters.served++;
    job.state = 'done';
    let reply: Reply;
    if (spec.errorRatio > 0 && errorRandom.next() < spec.errorRatio) {
      counters.errors++;
      reply = { status: 500, body: { error: 'injected' } };
    } else {
      reply = job.work();
    }
    if (!job.clientGone) send(job.res, reply.status, reply.body);
    // Hands the slot straight to the first job waiting, if any.
    job.release?.();
  };

  const admit = (job: Job): void => {
    if (job.clientGone) return;
    job.state = 'queued';
    // Refused only once closed: nothing is answered then.
    job.leave = slots.acquire(
      (release) => start(job, release),
      () => undefined,
    );
  };

  const stats = (): DbSimStats => {
    const s = slots.stats();
    const { served, errors, maxStretch } = counters;
    const stretch = contentionStretch(spec.contention, spec.capacity, s.held + s.waiting);
    return {
      served,
      errors,
      inService: s.held,
      queued: s.waiting,
      maxQueued: s.maxWaiting,
      stretch,
      maxStretch,
    };
  };

  const enqueue = (
    res: ServerResponse,
    readBody: boolean,
    req: IncomingMessage,
    work: (body: unknown) => Reply,
  ) => {
    const job: Job = {
      res,
      state: 'reading',
      clientGone: false,
      timer: undefined,
      release: undefined,
      leave: undefined,
      work: () => ({ status: 500, body: {} }),
    };
    res.on('close', () => {
      if (job.state === 'done') return;
      job.clientGone = true;
      if (job.state === 'queued') job.leave?.();
      if (job.state !== 'serving') job.state = 'gone';
    });
    if (!readBody) {
      req.resume();
      job.work = () => work(undefined);
      admit(job);
      return;
    }
    readJson(req, (error, body) => {
      if (error === 'too_large') {
        job.state = 'done';
        res.setHeader('connection', 'close');
        send(res, 413, { error: 'too_large', message: `body over ${maxBodyBytes} bytes` });
        return;
      }
      job.work = () => (error === undefined ? work(body) : badRequest(error));
      admit(job);
    });
  };

  const server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, noDelay: true },
    (req, res) => {
      const url = req.url ?? '/';
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      const method = req.method ?? 'GET';
      if (path === '/health' && method === 'GET') return send(res, 200, { status: 'ok' });
      if (path === '/stats' && method === 'GET') return send(res, 200, stats());
      if (path === '/users') {
        if (method !== 'POST') return notAllowed(req, res, 'POST');
        const header = req.headers['idempotency-key'];
        const key = typeof header === 'string' && header !== '' ? header : undefined;
        return enqueue(res, true, req, (body) => withInput(body, (input) => create(input, key)));
      }
      if (path.startsWith('/users/') && path.indexOf('/', 7) < 0) {
        const id = parseId(path.slice(7));
        if (method === 'GET') return enqueue(res, false, req, () => getUser(store, id));
        if (method === 'PUT') {
          return enqueue(res, true, req, (body) =>
            id === undefined
              ? badRequest('id: expected a positive integer')
              : withInput(body, (input) => found(store.put(id, input))),
          );
        }
        if (method === 'DELETE') {
          return enqueue(res, false, req, () =>
            id !== undefined && store.delete(id) ? reply(204, undefined) : reply(404, { error: 'not_found' }),
          );
        }
        return notAllowed(req, res, 'GET, PUT, DELETE');
      }
      req.resume();
      return send(res, 404, { error: 'not_found' });
    },
  );
  server.keepAliveTimeout = 30_000;

  return {
    listen(host = '127.0.0.1', port = 0) {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    close() {
      slots.close();
      for (const job of serving) clearTimeout(job.timer);
      serving.clear();
      return new Promise((resolve) => {
        // Not listening is fine: closing twice, or before listen, has nothing left to close.
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    stats,
  };
}

function reply(status: number, body: unknown): Reply {
  return { status, body };
}

function badRequest(message: string): Reply {
  return { status: 400, body: { error: 'bad_request', message } };
}

function getUser(store: UserStore, id: number | undefined): Reply {
  return found(id === undefined ? undefined : store.get(id));
}

function found(user: User | undefined): Reply {
  return user === undefined ? reply(404, { error: 'not_found' }) : reply(200, user);
}

function withInput(body: unknown, use: (input: UserInput) => Reply): Reply {
  const parsed = userInputSchema.safeParse(body);
  if (parsed.success) return use(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
  return badRequest(`${where}: ${issue?.message ?? 'invalid'}`);
}

function parseId(text: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  res.setHeader('allow', allow);
  send(res, 405, { error: 'method_not_allowed' });
}

/** Reads a JSON body; `error` is 'too_large' or a sentence about the JSON. */
function readJson(req: IncomingMessage, done: (error: string | undefined, body: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBodyBytes) tooLarge = true;
    else chunks.push(chunk);
  });
  // A client that aborts mid-body also closes the response, whose 'close' drops the job.
  req.on('end', () => {
    if (tooLarge) return done('too_large', undefined);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      return done(`body: expected JSON (${(error as Error).message})`, undefined);
    }
    return done(undefined, body);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
