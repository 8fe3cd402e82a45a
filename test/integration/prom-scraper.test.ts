import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startPromScraper, type PromScraper, type TelemetryMessage } from '../../src/telemetry/index.js';

let server: Server | undefined;
let scraper: PromScraper | undefined;
afterEach(async () => {
  await scraper?.stop();
  scraper = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  server = createServer((req, res) => {
    sockets.add(req.socket);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

describe('the /metrics scraper for a --target', () => {
  it('reads every scrape over one keep-alive connection and turns each pair into a sample', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const cache = new Counter({
      name: 'cache_requests_total',
      help: 'h',
      labelNames: ['result'],
      registers: [registry],
    });
    const { url, sockets } = await serve((_req, res) => {
      cache.inc({ result: 'hit' }, 10);
      void registry.metrics().then((text) => res.end(text));
    });
    const samples: TelemetryMessage[] = [];
    let clock = 0;
    scraper = startPromScraper({
      url,
      intervalMs: 20,
      now: () => (clock += 1000),
      onSample: (m) => samples.push(m),
    });
    await expect.poll(() => samples.length).toBeGreaterThanOrEqual(4);
    expect(sockets.size).toBe(1);
    expect(scraper.stoppedBecause).toBeUndefined();
    for (const m of samples) {
      expect(m.intervalMs).toBe(1000);
      // Ten hits counted between two scrapes, over one (fake) second.
      expect(m.sample.cache).toEqual({ hit: 10 });
      expect(m.sample.heapUsedBytes).toBeGreaterThan(0);
    }
  });

  it('stops and says why when the target has no /metrics', async () => {
    const { url, sockets } = await serve((_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    });
    const samples: TelemetryMessage[] = [];
    scraper = startPromScraper({ url, intervalMs: 20, onSample: (m) => samples.push(m) });
    await expect.poll(() => scraper?.stoppedBecause).toBe('GET /metrics answered 404');
    const requests = sockets.size;
    expect(samples).toEqual([]);
    expect(requests).toBe(1);
  });
});
