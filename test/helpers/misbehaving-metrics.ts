/**
 * A target on loopback that answers every request at once with "ok", but whose /metrics
 * misbehaves: it trickles (1 KB every 50 ms) or streams a huge body as fast as the reader takes
 * it. Either way it stops by itself once `capBytes` are sent, so the server can never run away.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type MetricsBehaviour =
  | { kind: 'trickle'; chunkBytes?: number; everyMs?: number; capBytes: number }
  | { kind: 'huge'; capBytes: number };

/** One /metrics answer as the server saw it. */
export interface MetricsExchange {
  bytesSent: number;
  /** Whether the reader closed the connection before the server finished the body. */
  closedByReader: boolean;
  finished: boolean;
}

export interface MisbehavingTarget {
  url: string;
  exchanges: MetricsExchange[];
  close(): Promise<void>;
}

const line = '# HELP filler x\n';

/** Starts the target; close it in the test's cleanup hook. */
export async function startMisbehavingTarget(behaviour: MetricsBehaviour): Promise<MisbehavingTarget> {
  const exchanges: MetricsExchange[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    req.resume();
    if (req.url !== '/metrics') {
      res.end('ok');
      return;
    }
    const exchange: MetricsExchange = { bytesSent: 0, closedByReader: false, finished: false };
    exchanges.push(exchange);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.on('close', () => {
      if (!exchange.finished) exchange.closedByReader = true;
    });
    const done = () => {
      exchange.finished = true;
      res.end();
    };
    if (behaviour.kind === 'trickle') {
      const chunk = line.repeat(Math.ceil((behaviour.chunkBytes ?? 1024) / line.length));
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        if (exchange.bytesSent >= behaviour.capBytes) {
          clearInterval(timer);
          return done();
        }
        exchange.bytesSent += chunk.length;
        res.write(chunk);
      }, behaviour.everyMs ?? 50);
      timers.add(timer);
      return;
    }
    const chunk = Buffer.from(line.repeat(4096));
    const pump = () => {
      while (!res.destroyed) {
        if (exchange.bytesSent >= behaviour.capBytes) return done();
        exchange.bytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
