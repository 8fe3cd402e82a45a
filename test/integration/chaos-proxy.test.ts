import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy, type Proxy, type ProxyOptions } from '../../src/chaos/index.js';
import { startFaultProxy } from '../../src/lab/fault-proxy.js';
import {
  Cleanup,
  connectTo,
  quantile,
  receiveAll,
  roundTrip,
  startEcho,
  startServer,
} from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const now = (): number => performance.now();

async function proxyTo(port: number, options: Partial<ProxyOptions> = {}): Promise<Proxy> {
  const proxy = await createProxy({ name: 'dep', upstream: `127.0.0.1:${port}`, ...options });
  cleanup.add(() => proxy.close());
  return proxy;
}

function portOf(proxy: Proxy): number {
  return Number(proxy.listen.split(':').pop());
}

describe('fault proxy without toxics', () => {
  it('passes 1 MB of random bytes unchanged both ways', async () => {
    const echo = await startEcho(cleanup);
    const proxy = await proxyTo(echo.port);
    const client = await connectTo(cleanup, portOf(proxy));
    const payload = randomBytes(1024 * 1024);
    const back = await roundTrip(client, payload);
    expect(back.equals(payload)).toBe(true);
  });
});

describe('latency toxic', () => {
  /**
   * Sends 64-byte numbered messages at `rate` per second on `socket` for `ms`, and resolves with
   * each message's round-trip time (ms), matched by number as the echo returns them.
   */
  function paced(socket: Socket, rate: number, ms: number): Promise<number[]> {
    const sentAt: number[] = [];
    const rtt: number[] = [];
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 64) {
        const id = pending.readUInt32BE(0);
        rtt[id] = now() - (sentAt[id] as number);
        pending = pending.subarray(64);
      }
    });
    const total = Math.round((rate * ms) / 1000);
    const t0 = now();
    return new Promise((resolve) => {
      const tick = (): void => {
        const due = Math.min(total, Math.floor(((now() - t0) * rate) / 1000) + 1);
        while (sentAt.length < due) {
          const message = Buffer.alloc(64, 1);
          message.writeUInt32BE(sentAt.length, 0);
          sentAt.push(now());
          socket.write(message);
        }
        if (sentAt.length < total) setTimeout(tick, 1);
        else
          void expect
            .poll(() => rtt.filter((v) => v !== undefined).length, { timeout: 5000 })
            .toBe(total)
            .then(() => resolve(rtt));
      };
      tick();
    });
  }

  it('never early; at 1,000 messages/s its added delay is within +1 ms (p50) and +5 ms (p99) of the setting', async () => {
    // As the lab runs it: the proxy in its own process (dist/src/chaos/proxy-main.js), so its timers
    // do not share this process's event loop with the client and the echo server. Simultaneous
    // A/B (docs/measured-facts.md): every message goes out at the same moment through a proxy with a
    // 0 ms latency toxic and through one with the toxic under test, both to the same echo; the
    // toxic's added delay is the difference. Both carry a toxic, so both take the toxic chain (a
    // proxy with no toxic passes bytes straight through, and that saving is bench/chaos-overhead's).
    const latency = 10;
    const echo = await startEcho(cleanup);
    const upstream = `127.0.0.1:${echo.port}`;
    const proxy = await startFaultProxy(
      [
        { name: 'plain', upstream },
        { name: 'lagged', upstream },
      ],
      { execPath: process.execPath, env: process.env },
      1,
    );
    cleanup.add(async () => {
      await proxy.child.stop();
    });
    for (const [name, ms] of [
      ['plain', 0],
      ['lagged', latency],
    ] as const) {
      const added = await fetch(`${proxy.adminUrl}/proxies/${name}/toxics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'latency', stream: 'downstream', attributes: { latency: ms } }),
      });
      expect(added.status).toBe(200);
    }
    const portOfListen = (name: string): number => Number(proxy.dependencies[name]?.listen.split(':').at(-1));
    const plain = await connectTo(cleanup, portOfListen('plain'));
    const lagged = await connectTo(cleanup, portOfListen('lagged'));
    // Three windows of 1,500 messages; a stall of this machine may still favour one path in one
    // window, so the median of the three is judged. Never early holds for every message.
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let window = 0; window < 3; window++) {
      const [base, slow] = await Promise.all([paced(plain, 1000, 1500), paced(lagged, 1000, 1500)]);
      expect(slow).toHaveLength(1500);
      expect(Math.min(...slow)).toBeGreaterThanOrEqual(latency);
      p50s.push(quantile(slow, 0.5) - quantile(base, 0.5) - latency);
      p99s.push(quantile(slow, 0.99) - quantile(base, 0.99) - latency);
    }
    expect(quantile(p50s, 0.5)).toBeLessThanOrEqual(1);
    expect(quantile(p99s, 0.5)).toBeLessThanOrEqual(5);
  });
});

describe('bandwidth toxic', () => {
  it('holds 1 MB transfers within ±5% of its rate (median of three)', async () => {
    const size = 1024 * 1024;
    const server = await startServer(cleanup, (socket) =>
      socket.once('data', () => socket.end(randomBytes(size))),
    );
    const proxy = await proxyTo(server.port);
    const rate = 2000; // KB/s = bytes/ms
    proxy.addToxic({ type: 'bandwidth', stream: 'downstream', attributes: { rate } });
    const expected = size / rate;
    // Three transfers; a stall of this process (other suites on both cores) can only lengthen one,
    // so the median is judged against ±5%, and none may be faster than the rate allows.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectTo(cleanup, portOf(proxy));
      const t0 = now();
      const done = receiveAll(client, now);
      client.write('go');
      const got = await done;
      expect(got.data.length).toBe(size);
      times.push(got.atMs - t0);
    }
    expect(Math.min(...times)).toBeGreaterThanOrEqual(expected * 0.95);
    expect(quantile(times, 0.5)).toBeLessThanOrEqual(expected * 1.05);
  });
});

describe('toxicity', () => {
  /** Opens `n` connections one after another; true where the toxic (limit_data 0 upstream) cut it. */
  async function cutPattern(proxy: Proxy, n: number, concurrency: number): Promise<boolean[]> {
    const cut: boolean[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        const client = await connectTo(cleanup, portOf(proxy));
        const got = receiveAll(client, now);
        client.write('x');
        const r = await got;
        cut[i] = r.data.length === 0;
        client.destroy();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return cut;
  }

  it('applies to its share of 2000 connections (±4 points), the same choices for the same seed', async () => {
    const echo = await startServer(cleanup, (socket) => socket.once('data', (d) => socket.end(d)));
    const toxic = { type: 'limit_data', stream: 'upstream', toxicity: 0.3, attributes: { bytes: 0 } };
    const a = await proxyTo(echo.port, { seed: 42 });
    a.addToxic(toxic);
    const share = (await cutPattern(a, 2000, 16)).filter(Boolean).length / 2000;
    expect(share).toBeGreaterThanOrEqual(0.26);
    expect(share).toBeLessThanOrEqual(0.34);

    const runs: boolean[][] = [];
    for (const seed of [7, 7, 8]) {
      const proxy = await proxyTo(echo.port, { seed });
      proxy.addToxic(toxic);
      runs.push(await cutPattern(proxy, 200, 1));
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0]).not.toEqual(runs[2]);
  });
});

describe('toxics that end or hold connections', () => {
  interface Case {
    toxic: { type: string; stream: string; attributes: Record<string, number> };
    /** What the upstream server does with a new connection. */
    server: 'echo' | 'end-now' | 'send-1000';
    expect: { how: string; bytes: number; minMs: number; maxMs: number; minChunks?: number };
  }
  const cases: Record<string, Case> = {
    'timeout 100 ms: no data, closed after the timeout': {
      toxic: { type: 'timeout', stream: 'upstream', attributes: { timeout: 100 } },
      server: 'echo',
      expect: { how: 'end', bytes: 0, minMs: 95, maxMs: 600 },
    },
    'reset_peer 50 ms: ECONNRESET after the timeout': {
      toxic: { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 50 } },
      server: 'echo',
      expect: { how: 'ECONNRESET', bytes: 5, minMs: 45, maxMs: 600 },
    },
    'limit_data 100 bytes: exactly 100 bytes, then closed': {
      toxic: { type: 'limit_data', stream: 'downstream', attributes: { bytes: 100 } },
      server: 'send-1000',
      expect: { how: 'end', bytes: 100, minMs: 0, maxMs: 600 },
    },
    'slow_close 200 ms: the close arrives late': {
      toxic: { type: 'slow_close', stream: 'downstream', attributes: { delay: 200 } },
      server: 'end-now',
      expect: { how: 'end', bytes: 0, minMs: 195, maxMs: 800 },
    },
    'slicer 10 bytes, 1000 µs apart: many small reads, bytes intact': {
      toxic: { type: 'slicer', stream: 'downstream', attributes: { average_size: 10, delay: 1000 } },
      server: 'send-1000',
      expect: { how: 'end', bytes: 1000, minMs: 99, maxMs: 2000, minChunks: 20 },
    },
  };

  it.each(Object.entries(cases))('%s', async (_name, c) => {
    const payload = randomBytes(1000);
    const server = await startServer(cleanup, (socket) => {
      if (c.server === 'echo') socket.pipe(socket);
      else if (c.server === 'end-now') socket.end();
      else socket.end(payload);
    });
    const proxy = await proxyTo(server.port);
    proxy.addToxic(c.toxic);
    const t0 = now();
    const client = await connectTo(cleanup, portOf(proxy));
    const got = receiveAll(client, now);
    if (c.server === 'echo') client.write('hello');
    const r = await got;
    expect(r.how).toBe(c.expect.how);
    expect(r.data.length).toBe(c.expect.bytes);
    if (c.server === 'send-1000') expect(r.data.equals(payload.subarray(0, c.expect.bytes))).toBe(true);
    expect(r.atMs - t0).toBeGreaterThanOrEqual(c.expect.minMs);
    expect(r.atMs - t0).toBeLessThanOrEqual(c.expect.maxMs);
    if (c.expect.minChunks !== undefined) expect(r.chunks).toBeGreaterThanOrEqual(c.expect.minChunks);
  });

  it('timeout 0 holds the data until the toxic is removed, then lets it through', async () => {
    let echoed = 0;
    const echo = await startServer(cleanup, (socket) =>
      socket.on('data', (d: Buffer) => {
        echoed += d.length;
        socket.write(d);
      }),
    );
    const proxy = await proxyTo(echo.port);
    proxy.addToxic({ name: 'hold', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    const client = await connectTo(cleanup, portOf(proxy));
    let got = '';
    client.on('data', (d: Buffer) => (got += d.toString()));
    client.write('held');
    await expect.poll(() => echoed).toBe(4);
    // Absence can only be shown over a window: nothing may arrive within 150 ms of the echo.
    const quiet = await new Promise<string>((resolve) => setTimeout(() => resolve(got), 150));
    expect(quiet).toBe('');
    expect(client.destroyed).toBe(false);
    proxy.removeToxic('hold');
    await expect.poll(() => got).toBe('held');
  });
});

describe('enabled switch', () => {
  it('disabled: cuts open connections and refuses new ones; enabled again on the same port', async () => {
    const echo = await startEcho(cleanup);
    const proxy = await proxyTo(echo.port);
    const port = portOf(proxy);
    const client = await connectTo(cleanup, port);
    await roundTrip(client, Buffer.from('hi'));
    const gone = receiveAll(client, now);
    await proxy.setEnabled(false);
    expect(proxy.enabled).toBe(false);
    await gone;
    await expect(connectTo(cleanup, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.setEnabled(true);
    expect(portOf(proxy)).toBe(port);
    expect((await roundTrip(await connectTo(cleanup, port), Buffer.from('again'))).toString()).toBe('again');
  });
});

describe('toxics changing under live traffic', () => {
  it('1,000 add/remove cycles of a latency toxic: no hang, no error, sockets back to baseline', async () => {
    const echo = await startEcho(cleanup);
    const proxy = await proxyTo(echo.port);
    expect(proxy.stats().openSockets).toBe(0);
    let running = true;
    let trips = 0;
    const loops = Array.from({ length: 4 }, async (_, i) => {
      const client = await connectTo(cleanup, portOf(proxy));
      const message = Buffer.from(`client-${i}-`.repeat(20));
      while (running) {
        const back = await roundTrip(client, message);
        expect(back.equals(message)).toBe(true);
        trips++;
      }
      client.end();
      await receiveAll(client, now);
    });
    for (let cycle = 0; cycle < 1000; cycle++) {
      proxy.addToxic({
        name: 'lag',
        type: 'latency',
        stream: cycle % 2 ? 'upstream' : 'downstream',
        attributes: { latency: 2, jitter: 1 },
      });
      const before = trips;
      await expect.poll(() => trips > before, { interval: 1 }).toBe(true);
      proxy.removeToxic('lag');
    }
    running = false;
    await Promise.all(loops);
    expect(trips).toBeGreaterThanOrEqual(1000);
    expect(proxy.stats().toxicErrors).toBe(0);
    await expect.poll(() => proxy.stats().openSockets).toBe(0);
    await expect.poll(() => echo.sockets.size).toBe(0);
  });
});
