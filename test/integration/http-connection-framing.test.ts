/**
 * A target that answers bytes whose head never ends (not HTTP at all, a head past the 64 KiB
 * limit, lines ended by a bare LF) is a framing error of its own kind, "framing", counted as soon
 * as the bytes show it: not a "timeout" once the request timeout runs out, and not lost as a
 * request still in flight when the run ends. Real sockets on loopback; the connection class
 * in-process, then a closed-model run through runLoad (worker threads, compiled code in dist/).
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpConnection } from '../../src/load/http-connection.js';
import { LoadAggregate, runLoad } from '../../src/load/index.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** A TCP server that answers the first bytes of every connection with `reply` and keeps it open. */
async function rawServer(reply: string): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', () => socket.write(reply, 'latin1'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, 'close');
  });
  return (server.address() as AddressInfo).port;
}

const padLine = `x-pad: ${'a'.repeat(90)}\r\n`;
const unterminated: [string, string][] = [
  ['bytes that are not HTTP', 'hello, this is not HTTP and it has no end of head'],
  ['a head past 64 KiB', `HTTP/1.1 200 OK\r\n${padLine.repeat(700)}`],
  ['lines ended by a bare LF', 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok'],
];

describe('a load connection whose target never ends a head', () => {
  it.each(unterminated)('fails its request with the kind "framing" on %s', async (_name, reply) => {
    const port = await rawServer(reply);
    const failed = new Promise<{ kind: string; tags: number[] }>((resolve) => {
      const connection = new HttpConnection<number>(
        { host: '127.0.0.1', port },
        {
          onResponse: () => resolve({ kind: 'a response', tags: [] }),
          onFailure: (_c, tags, kind) => resolve({ kind, tags }),
          onConnect: (c) =>
            c.write({ text: 'GET / HTTP/1.1\r\nhost: t\r\n\r\n', index: 0, head: false }, 1, 0),
        },
      );
      cleanups.push(() => {
        connection.close();
      });
    });
    // Nothing here calls timeOut(): only the bytes can fail the request.
    expect(await failed).toEqual({ kind: 'framing', tags: [1] });
  });

  it('counts such answers as "framing" errors in a closed-model run, none as timeouts', async () => {
    const port = await rawServer('hello, this is not HTTP and it has no end of head');
    const scenario = scenarioSchema.parse({
      name: 'framing',
      load: {
        model: 'closed',
        timeout: '60s',
        phases: [{ name: 'measured', duration: 60, connections: 2 }],
        requests: [{ path: '/' }],
      },
    });
    const aggregate = new LoadAggregate();
    const stop = new AbortController();
    cleanups.push(() => stop.abort());
    const run = runLoad({
      plan: buildPlan(scenario),
      requests: scenario.load.requests,
      targetUrl: `http://127.0.0.1:${port}`,
      seed: 1,
      timeoutMs: scenario.load.timeout,
      startEpochMs: Date.now() + 300,
      signal: stop.signal,
      aggregate,
    });
    // Long before the 60 s request timeout, the answers are counted as framing errors.
    await expect
      .poll(() => aggregate.errorsByKind.framing ?? 0, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    stop.abort();
    await run;
    // Requests still waiting for their bytes when the load was stopped count as unanswered.
    expect(Object.keys(aggregate.errorsByKind).filter((k) => k !== 'unanswered')).toEqual(['framing']);
    expect(aggregate.requests).toBe(0);
  });
});
