/**
 * A tiny, controllable user store speaking the simulated database's HTTP protocol, for the
 * reference service's tests: users 1..n in memory, reads counted per id, and faults switched
 * at run time (delay, never answer, 500, connection reset).
 *
 *   GET  /users/:id  -> 200 {id,name,email} | 404 {"error":"not_found"}
 *   POST /users      -> 201 {id,name,email}
 *   PUT  /users/:id  -> 200 {id,name,email}
 *   any              -> 500 {"error":"injected"} when fault is 'error'
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the fake answers; change the fields of `db.behaviour` at any time. */
export interface FakeDbBehaviour {
  /** Wait before answering, in ms (default 0). */
  delayMs: number;
  /** none: answer; hang: never answer; error: 500; reset: destroy the connection (default none). */
  fault: 'none' | 'hang' | 'error' | 'reset';
}

export interface FakeDbUser {
  id: number;
  name: string;
  email: string;
}

export interface FakeDb {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly behaviour: FakeDbBehaviour;
  /** GET /users/:id requests received for `id`. */
  readsOf(id: number): number;
  /** Requests received (any route), answered or not. */
  received(): number;
  /** Requests received and not yet answered. */
  pending(): number;
  /** Connections accepted since start. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a fake store on 127.0.0.1, port 0, with users 1..`users` (default 100). */
export async function startFakeDb(
  options: { users?: number } & Partial<FakeDbBehaviour> = {},
): Promise<FakeDb> {
  const users = new Map<number, FakeDbUser>();
  for (let id = 1; id <= (options.users ?? 100); id++) {
    users.set(id, { id, name: `user-${id}`, email: `user-${id}@example.test` });
  }
  let nextId = users.size + 1;
  const behaviour: FakeDbBehaviour = { delayMs: options.delayMs ?? 0, fault: options.fault ?? 'none' };
  const reads = new Map<number, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let received = 0;
  let pending = 0;
  let connections = 0;

  const answer = (req: IncomingMessage, body: string): { status: number; body: unknown } => {
    const match = /^\/users(?:\/(\d+))?$/.exec(req.url ?? '');
    if (match === null) return { status: 404, body: { error: 'not_found' } };
    const id = match[1] === undefined ? undefined : Number(match[1]);
    if (req.method === 'GET' && id !== undefined) {
      const user = users.get(id);
      return user === undefined ? { status: 404, body: { error: 'not_found' } } : { status: 200, body: user };
    }
    let input: { name?: string; email?: string };
    try {
      input = JSON.parse(body || '{}') as { name?: string; email?: string };
    } catch {
      return { status: 400, body: { error: 'bad_request' } };
    }
    if (req.method === 'POST' && id === undefined) {
      const user = {
        id: nextId,
        name: input.name ?? '',
        email: input.email ?? `user-${nextId}@example.test`,
      };
      users.set(nextId++, user);
      return { status: 201, body: user };
    }
    if (req.method === 'PUT' && id !== undefined) {
      const user = { id, name: input.name ?? '', email: input.email ?? `user-${id}@example.test` };
      users.set(id, user);
      return { status: 200, body: user };
    }
    return { status: 405, body: { error: 'method_not_allowed' } };
  };

  const respond = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    pending--;
    if (behaviour.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const reply =
      behaviour.fault === 'error' ? { status: 500, body: { error: 'injected' } } : answer(req, body);
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  };

  const server = createServer((req, res) => {
    received++;
    pending++;
    const match = /^\/users\/(\d+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && match !== null) {
      const id = Number(match[1]);
      reads.set(id, (reads.get(id) ?? 0) + 1);
    }
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (behaviour.fault === 'hang') return;
      if (behaviour.delayMs <= 0) return respond(req, res, body);
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond(req, res, body);
      }, behaviour.delayMs);
      timers.add(timer);
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    behaviour,
    readsOf: (id) => reads.get(id) ?? 0,
    received: () => received,
    pending: () => pending,
    connections: () => connections,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
