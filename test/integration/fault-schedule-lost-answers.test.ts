import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxyServer, type ProxyServer } from '../../src/chaos/index.js';
import { createFaultSchedule } from '../../src/lab/fault-schedule.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';
import { Cleanup, startEcho } from '../helpers/chaos-net.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function proxyServer(): Promise<ProxyServer> {
  const echo = await startEcho(cleanup);
  const upstream = `127.0.0.1:${echo.port}`;
  const server = await startProxyServer({
    config: {
      seed: 1,
      proxies: [
        { name: 'db', upstream, listen: '127.0.0.1:0', enabled: true, toxics: [] },
        { name: 'recommendations', upstream, listen: '127.0.0.1:0', enabled: true, toxics: [] },
      ],
    },
  });
  cleanup.add(() => server.close());
  return server;
}

function plannedFaults(faults: unknown[]) {
  const scenario = scenarioSchema.parse({
    name: 's',
    load: { model: 'closed', phases: [{ duration: 10, connections: 1 }], requests: [{ path: '/' }] },
    faults,
  });
  return buildPlan(scenario).faults ?? [];
}

/** What the front does with one admin call: pass it on, pass it on and lose the answer, and so on. */
type Treatment = 'pass' | 'lose-answer' | 'never-answer' | 'drop' | { delayMs: number };

/**
 * An HTTP front to the proxy's admin API that mistreats calls: `treat` decides per call. Counts
 * the calls it saw and the answers it delivered, by method.
 */
async function lossyFront(adminUrl: string, treat: (req: IncomingMessage) => Treatment) {
  const seen: string[] = [];
  const answered: string[] = [];
  const pass = async (req: IncomingMessage, body: string) => {
    const res = await fetch(`${adminUrl}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      ...(body === '' ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, text: await res.text() };
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    seen.push(req.method ?? '');
    const treatment = treat(req);
    if (treatment === 'drop') return void req.socket.destroy();
    if (typeof treatment === 'object') await new Promise((r) => setTimeout(r, treatment.delayMs));
    const answer = await pass(req, body);
    if (treatment === 'lose-answer') return void req.socket.destroy();
    if (treatment === 'never-answer') return;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.text);
    answered.push(req.method ?? '');
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, answered };
}

describe('the fault schedule when admin answers go missing', () => {
  it('removes at the window end a fault whose apply answer was lost, and a 404 on removal is no error', async () => {
    const server = await proxyServer();
    // db: the proxy applies the toxic but its answer is lost; recommendations: the POST is dropped
    // before it reaches the proxy, so the DELETE finds nothing (404).
    const front = await lossyFront(server.adminUrl, (req) =>
      req.method !== 'POST' ? 'pass' : req.url?.includes('/db/') ? 'lose-answer' : 'drop',
    );
    const faults = plannedFaults([
      { at: 0.1, for: 0.3, on: 'db', latency: { latency: 50 } },
      { at: 0.1, for: 0.3, on: 'recommendations', latency: { latency: 50 } },
    ]);
    const schedule = createFaultSchedule({ faults, adminUrl: front.url });
    const db = server.proxies.get('db');
    const zero = Date.now();
    schedule.begin(zero);
    await expect.poll(() => db.toxics().map((t) => t.type), { interval: 5 }).toEqual(['latency']);
    // Nothing but the end-of-window removal takes it off again.
    await expect.poll(() => db.toxics(), { interval: 5, timeout: 3000 }).toEqual([]);
    const removedAt = (Date.now() - zero) / 1000;
    await expect.poll(() => front.answered.filter((m) => m === 'DELETE').length).toBe(2);
    const records = await schedule.finish();
    expect(records).toHaveLength(2);
    const [dbRecord, recsRecord] = records;
    expect(dbRecord?.error).toMatch(/^apply: /);
    expect(dbRecord?.error).not.toContain('remove');
    expect(dbRecord?.endS).toBeGreaterThanOrEqual(0.4);
    expect(dbRecord?.endS).toBeLessThanOrEqual(removedAt);
    expect(recsRecord?.error).toMatch(/^apply: /);
    expect(recsRecord?.error).not.toContain('remove');
    expect(server.proxies.get('recommendations').toxics()).toEqual([]);
  });

  it('removes in finish() an open fault whose apply timed out after the proxy applied it', async () => {
    const server = await proxyServer();
    const front = await lossyFront(server.adminUrl, (req) =>
      req.method === 'POST' ? 'never-answer' : 'pass',
    );
    const faults = plannedFaults([{ at: 0.05, on: 'db', latency: { latency: 50 } }]);
    const schedule = createFaultSchedule({ faults, adminUrl: front.url, callTimeoutMs: 200 });
    const db = server.proxies.get('db');
    schedule.begin(Date.now());
    await expect.poll(() => db.toxics().map((t) => t.type), { interval: 5 }).toEqual(['latency']);
    const records = await schedule.finish();
    expect(db.toxics()).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]?.error).toMatch(/^apply: /);
  });

  it('finish() waits for a removal the end of the window already started', async () => {
    const server = await proxyServer();
    const front = await lossyFront(server.adminUrl, (req) =>
      req.method === 'DELETE' ? { delayMs: 400 } : 'pass',
    );
    const faults = plannedFaults([{ at: 0.05, for: 0.1, on: 'db', latency: { latency: 50 } }]);
    const schedule = createFaultSchedule({ faults, adminUrl: front.url });
    const db = server.proxies.get('db');
    schedule.begin(Date.now());
    await expect.poll(() => front.seen, { interval: 5 }).toContain('DELETE');
    expect(db.toxics().map((t) => t.type)).toEqual(['latency']);
    const records = await schedule.finish();
    expect(front.answered).toEqual(['POST', 'DELETE']);
    expect(db.toxics()).toEqual([]);
    expect(records[0]).toMatchObject({ plannedStartS: 0.05, plannedEndS: 0.15 });
    expect(records[0]?.error).toBeUndefined();
  });
});
