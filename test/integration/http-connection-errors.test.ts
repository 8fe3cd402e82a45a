/**
 * Which failures a load connection blames on the target: bytes that are not HTTP are the
 * target's transport error "framing"; an exception thrown by the engine's own code while it
 * handles an answer is a bug of the generator and must crash the worker (LOAD_FAILED), not be
 * counted as a target error. The connection runs in a worker thread (compiled code from dist/)
 * so that its uncaught exception is observed as the worker's 'error', as in a real run.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { distEntry } from '../../src/shared/paths.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** A TCP server that answers every request with `reply` (raw bytes). */
async function rawServer(reply: string): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => socket.write(reply));
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

const script = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ HttpConnection }) => {
  const connection = new HttpConnection({ host: '127.0.0.1', port: workerData.port }, {
    onResponse(_c, _tag, status) {
      if (workerData.throwInEngine) throw new Error('engine bug while recording ' + status);
      parentPort.postMessage({ response: status });
    },
    onFailure(_c, tags, kind) { parentPort.postMessage({ failure: kind, tags }); },
    onConnect() { connection.send('GET / HTTP/1.1\\r\\nhost: t\\r\\n\\r\\n', 1, 0); },
  });
});
`;

type Outcome = { message: Record<string, unknown> } | { error: Error };

async function runConnection(port: number, throwInEngine: boolean): Promise<Outcome> {
  const worker = new Worker(script, {
    eval: true,
    workerData: {
      module: pathToFileURL(distEntry('src/load/http-connection.ts')).href,
      port,
      throwInEngine,
    },
  });
  cleanups.push(async () => {
    await worker.terminate();
  });
  return new Promise<Outcome>((resolve) => {
    worker.once('message', (message: Record<string, unknown>) => resolve({ message }));
    worker.once('error', (error) => resolve({ error }));
  });
}

describe('a load connection', () => {
  it('counts bytes that are not HTTP as the target transport error "framing"', async () => {
    const port = await rawServer('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    expect(await runConnection(port, false)).toEqual({ message: { failure: 'framing', tags: [1] } });
  });

  it('reports a valid answer to the engine', async () => {
    const port = await rawServer('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    expect(await runConnection(port, false)).toEqual({ message: { response: 200 } });
  });

  it('rethrows an exception from the engine handling a valid answer instead of blaming the target', async () => {
    const port = await rawServer('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    const outcome = await runConnection(port, true);
    expect(outcome).toHaveProperty('error');
    expect((outcome as { error: Error }).error.message).toBe('engine bug while recording 200');
  });
});
