/**
 * Over 5,000 malformed or hostile requests on raw sockets: broken request lines, huge headers,
 * bad JSON, wrong types, oversized bodies, wrong content types, slow headers. The service must
 * answer each with the right 4xx, never a 5xx, and stay up.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, startReferenceService, type RunningService } from '../helpers/reference-service.js';

let svc: RunningService;
let port: number;

beforeAll(async () => {
  svc = await startReferenceService({
    // Not shorter: a paused pipelined connection (its client slow to read) would be cut as slow too.
    knobs: { server: { headersTimeoutMs: 1500, connectionsCheckingIntervalMs: 100, bodyLimitBytes: 16_384 } },
  });
  port = Number(new URL(svc.url).port);
});
afterAll(closeAll);

/** Writes `payload` on a new connection and resolves with every status code answered before it closed. */
function exchange(payload: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s after: ${JSON.stringify(payload.slice(0, 80))}`));
    }, 10_000);
    socket.on('connect', () => socket.write(payload));
    socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
    // A reset after the answer is fine (the server closes on bad input); the answer is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve([...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])));
    });
  });
}

/** Runs `jobs` with at most `limit` at once; resolves with their results in order. */
async function inBatches<T>(jobs: (() => Promise<T>)[], limit = 50): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += limit) {
    results.push(...(await Promise.all(jobs.slice(i, i + limit).map((job) => job()))));
  }
  return results;
}

/** `count` requests pipelined on one keep-alive connection, the last asking to close it. */
function pipelined(requests: string[]): string {
  return requests
    .map((r, i) => (i === requests.length - 1 ? r.replace('\r\n', '\r\nConnection: close\r\n') : r))
    .join('');
}

function post(path: string, body: string, contentType = 'application/json'): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function get(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
}

const brokenRequestLines = [
  'GARBAGE\r\n\r\n',
  'GET\r\n\r\n',
  'GET /users/1 HTTP/7.0\r\n\r\n',
  '\u0000\u0001\u0002\u0003\r\n\r\n',
  'GET /users/1 HTTP/1.1\r\nHost x\r\n\r\n',
  'GET /users/1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'GET /users/1 HTTP/1.1\nHost: x\n\n\r\r',
  'GET /us ers/1 HTTP/1.1\r\nHost: x\r\n\r\n',
];

const badJson = ['{bad', '{"name": "a",}', '', '{"name": "a"', 'nul', '\u00ff\u00fe'];

const wrongTypes = [
  post('/users', JSON.stringify({ name: 5 })),
  post('/users', JSON.stringify({ name: '' })),
  post('/users', JSON.stringify({ name: 'a', extra: true })),
  post('/users', JSON.stringify({ name: 'x'.repeat(101) })),
  post('/users', JSON.stringify([])),
  post('/users', JSON.stringify('name')),
  post('/users', 'null'),
  post('/users', JSON.stringify({ name: 'a', email: 7 })),
  get('/users/abc'),
  get('/users/-1'),
  get('/users/0'),
  get('/users/99999999999999999999'),
  get('/users/1.5/profile'),
  get('/users/%00/profile'),
];

describe('hostile requests', () => {
  it('answers over 5,000 malformed or hostile requests with the right 4xx, never a 5xx, and stays up', async () => {
    const statuses: Record<string, number[]> = {};
    // Per kind: every status answered, and how many answers each connection got (for the report).
    const perConnection: Record<string, number[]> = {};
    const record = (kind: string, codes: number[]) => {
      (statuses[kind] ??= []).push(...codes);
      (perConnection[kind] ??= []).push(codes.length);
    };

    // Broken request lines and headers: one per connection (the server closes after a 400).
    for (const codes of await inBatches(
      Array.from(
        { length: 1000 },
        (_, i) => () => exchange(brokenRequestLines[i % brokenRequestLines.length] as string),
      ),
    )) {
      record('broken', codes);
    }
    // A request line or headers over Node's 16 KiB limit: 431.
    const huge = [
      `GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    for (const codes of await inBatches(
      Array.from({ length: 300 }, (_, i) => () => exchange(huge[i % 2] as string)),
    )) {
      record('huge-headers', codes);
    }
    // Bad JSON: one per connection (fastify closes the connection after a body it could not parse).
    for (const codes of await inBatches(
      Array.from(
        { length: 1600 },
        (_, i) => () => exchange(post('/users', badJson[i % badJson.length] as string)),
      ),
    )) {
      record('bad-json', codes);
    }
    // Wrong types: 100 per keep-alive connection.
    for (const codes of await inBatches(
      Array.from(
        { length: 15 },
        (_, c) => () =>
          exchange(
            pipelined(
              Array.from({ length: 100 }, (_, i) => wrongTypes[(c + i) % wrongTypes.length] as string),
            ),
          ),
      ),
    )) {
      record('wrong-types', codes);
    }
    // Bodies over bodyLimitBytes: 413, one per connection.
    for (const codes of await inBatches(
      Array.from(
        { length: 300 },
        () => () => exchange(post('/users', JSON.stringify({ name: 'x'.repeat(20_000) }))),
      ),
    )) {
      record('oversized', codes);
    }
    // Not JSON: 415.
    for (const codes of await inBatches(
      Array.from(
        { length: 3 },
        () => () =>
          exchange(
            pipelined(
              Array.from({ length: 100 }, () =>
                post('/users', 'name=a', 'application/x-www-form-urlencoded'),
              ),
            ),
          ),
      ),
    )) {
      record('wrong-content-type', codes);
    }
    // Slow headers: cut with 408 near headersTimeoutMs.
    const slow = await Promise.all(
      Array.from({ length: 20 }, () => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        const drip = setInterval(() => socket.write('a'), 100);
        socket.write('GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
        socket.on('error', () => undefined);
        return new Promise<number[]>((resolve) =>
          socket.on('close', () => {
            clearInterval(drip);
            resolve([...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])));
          }),
        );
      }),
    );
    for (const codes of slow) record('slow-headers', codes);

    const expected: Record<string, number[]> = {
      broken: [400],
      'huge-headers': [431],
      'bad-json': [400],
      'wrong-types': [400, 404],
      oversized: [413],
      'wrong-content-type': [415],
      'slow-headers': [408],
    };
    const counts: Record<string, number> = {
      broken: 1000,
      'huge-headers': 300,
      'bad-json': 1600,
      'wrong-types': 1500,
      oversized: 300,
      'wrong-content-type': 300,
      'slow-headers': 20,
    };
    let total = 0;
    for (const [kind, codes] of Object.entries(statuses)) {
      total += codes.length;
      const answersPerConnection = [...new Set(perConnection[kind])];
      expect({ kind, count: codes.length, answersPerConnection }).toEqual({
        kind,
        count: counts[kind],
        answersPerConnection,
      });
      const unexpected = codes.filter((code) => !(expected[kind] ?? []).includes(code));
      expect({ kind, unexpected: [...new Set(unexpected)] }).toEqual({ kind, unexpected: [] });
    }
    expect(total).toBeGreaterThanOrEqual(5000);
    // Still up and serving.
    expect((await svc.call('GET', '/health')).status).toBe(200);
    expect((await svc.call('GET', '/users/1')).status).toBe(200);
    expect(await svc.metric('http_requests_total', { status: '500' })).toBe(0);
  }, 60_000);
});
