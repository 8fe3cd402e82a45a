import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy } from '../../src/chaos/index.js';
import { Cleanup, connectTo, receiveAll, startServer } from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const head2000 = 'HTTP/1.1 200 OK\r\ncontent-length: 2000\r\n\r\n';
const head204 = 'HTTP/1.1 204 No Content\r\nx-pad: 0123456789\r\n\r\n';

/** A raw HTTP server: /204 gets a bodyless answer; anything else 2000 bytes in two writes 50 ms apart. */
async function startRaw(): Promise<number> {
  const { port } = await startServer(cleanup, (socket: Socket) => {
    socket.once('data', (request: Buffer) => {
      if (request.toString('latin1').startsWith('GET /204 ')) {
        socket.write(head204);
        return;
      }
      socket.write(head2000 + 'a'.repeat(1000));
      setTimeout(() => socket.writable && socket.write('b'.repeat(1000)), 50);
    });
  });
  return port;
}

async function cutting(upstreamPort: number): Promise<number> {
  const proxy = await createProxy({ name: 'api', upstream: `127.0.0.1:${upstreamPort}`, seed: 3 });
  cleanup.add(() => proxy.close());
  proxy.addToxic({ type: 'http_cut' });
  return Number(proxy.listen.split(':').pop());
}

// What the README says `http: { cut: true }` does.
describe('http cut', () => {
  it('passes the head and half of the first body read (not half the declared length), then FIN', async () => {
    const socket = await connectTo(cleanup, await cutting(await startRaw()));
    const received = receiveAll(socket, () => performance.now());
    socket.write('GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
    const got = await received;
    expect(got.how).toBe('end');
    expect(got.data.toString('latin1')).toBe(head2000 + 'a'.repeat(500));
  });

  it('cuts a response with no body halfway through its head', async () => {
    const socket = await connectTo(cleanup, await cutting(await startRaw()));
    const received = receiveAll(socket, () => performance.now());
    socket.write('GET /204 HTTP/1.1\r\nhost: x\r\n\r\n');
    const got = await received;
    expect(got.how).toBe('end');
    expect(got.data.toString('latin1')).toBe(head204.slice(0, Math.floor(head204.length / 2)));
  });
});
