/**
 * Small loopback servers and clients for the fault proxy's tests. Everything made here is
 * registered with a {@link Cleanup} and closed in the test's afterEach hook.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Closes what a test opened, last first. */
export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** A TCP server on 127.0.0.1:0 running `onSocket` per connection; its sockets are destroyed on cleanup. */
export async function startServer(
  cleanup: Cleanup,
  onSocket: (socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return { server, port: address.port, sockets };
}

/** An echo server. */
export function startEcho(cleanup: Cleanup): ReturnType<typeof startServer> {
  return startServer(cleanup, (socket) => socket.pipe(socket));
}

/** Connects to 127.0.0.1:`port`; the socket is destroyed on cleanup. */
export function connectTo(cleanup: Cleanup, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    cleanup.add(() => void socket.destroy());
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything a socket receives until it ends, closes or errors, with when that happened. */
export interface Received {
  data: Buffer;
  chunks: number;
  /** 'end' (FIN), 'close' without FIN, or the error code (e.g. ECONNRESET). */
  how: string;
  atMs: number;
}

/** Collects what `socket` receives until it is over. */
export function receiveAll(socket: Socket, now: () => number): Promise<Received> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let how: string | undefined;
    socket.on('data', (data: Buffer) => parts.push(data));
    socket.once('end', () => {
      how ??= 'end';
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      how ??= err.code ?? err.message;
    });
    socket.once('close', () =>
      resolve({ data: Buffer.concat(parts), chunks: parts.length, how: how ?? 'close', atMs: now() }),
    );
  });
}

/** Writes `data` and resolves once as many bytes came back (an echo round trip). */
export function roundTrip(socket: Socket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= data.length) {
        off();
        resolve(Buffer.concat(parts));
      }
    };
    const onGone = (): void => {
      off();
      reject(new Error(`connection ended after ${got} of ${data.length} bytes`));
    };
    const off = (): void => {
      socket.off('data', onData);
      socket.off('close', onGone);
      socket.off('end', onGone);
    };
    socket.on('data', onData);
    socket.once('close', onGone);
    socket.once('end', onGone);
    socket.write(data);
  });
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
