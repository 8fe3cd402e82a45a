import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy } from '../../src/chaos/index.js';
import { Cleanup, connectTo } from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/**
 * An HTTP server that upgrades `/ws` (101, then says `hello` first and echoes) and opens CONNECT
 * tunnels (200, then echoes); anything else gets `plain`.
 */
async function startUpgrading(): Promise<number> {
  const server: Server = createServer((_req, res) => res.end('plain'));
  const tunnel = (socket: Socket, head: string, greeting: string): void => {
    socket.on('error', () => socket.destroy());
    socket.write(head + greeting);
    socket.pipe(socket);
  };
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) =>
    tunnel(
      socket,
      'HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n',
      'hello',
    ),
  );
  server.on('connect', (_req: IncomingMessage, socket: Socket) =>
    tunnel(socket, 'HTTP/1.1 200 Connection Established\r\n\r\n', ''),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A proxy to `port` that answers 503 to every request for /x. */
async function faultingProxy(port: number): Promise<number> {
  const proxy = await createProxy({ name: 'api', upstream: `127.0.0.1:${port}`, seed: 1 });
  cleanup.add(() => proxy.close());
  proxy.addToxic({ type: 'http_status', match: { path: '/x' }, attributes: { status: 503 } });
  return Number(proxy.listen.split(':').pop());
}

/** Resolves with everything received once it contains `until`. */
function readUntil(socket: Socket, until: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (!text.includes(until)) return;
      socket.off('data', onData);
      resolve(text);
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before ${JSON.stringify(until)}; got ${text}`)));
  });
}

describe('the fault proxy on upgraded connections', () => {
  it('passes both directions as they are after 101 Switching Protocols', async () => {
    const port = await faultingProxy(await startUpgrading());
    const socket = await connectTo(cleanup, port);
    socket.write('GET /ws HTTP/1.1\r\nhost: a\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n');
    // The server speaks first after the 101: those bytes must not be held as a response head.
    expect(await readUntil(socket, 'hello')).toMatch(/^HTTP\/1\.1 101 .*hello$/s);
    // Client bytes that look like HTTP are the new protocol's now: echoed, never answered 503.
    const next = readUntil(socket, 'PING');
    socket.write('GET /x HTTP/1.1\r\n\r\nPING');
    expect(await next).toBe('GET /x HTTP/1.1\r\n\r\nPING');
  });

  it('passes a CONNECT tunnel as it is after its 2xx answer', async () => {
    const port = await faultingProxy(await startUpgrading());
    const socket = await connectTo(cleanup, port);
    socket.write('CONNECT b:1 HTTP/1.1\r\nhost: b:1\r\n\r\n');
    expect(await readUntil(socket, '\r\n\r\n')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    const next = readUntil(socket, 'PING');
    socket.write('GET /x HTTP/1.1\r\n\r\nPING');
    expect(await next).toBe('GET /x HTTP/1.1\r\n\r\nPING');
  });

  it('keeps framing and faulting a keep-alive connection that was not upgraded', async () => {
    const port = await faultingProxy(await startUpgrading());
    const socket = await connectTo(cleanup, port);
    socket.write('GET /plain HTTP/1.1\r\nhost: a\r\n\r\n');
    expect(await readUntil(socket, 'plain')).toMatch(/^HTTP\/1\.1 200 /);
    const next = readUntil(socket, '503');
    socket.write('GET /x HTTP/1.1\r\nhost: a\r\n\r\n');
    expect(await next).toMatch(/^HTTP\/1\.1 503 /);
  });
});
