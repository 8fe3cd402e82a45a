import { afterEach, describe, expect, it } from 'vitest';
import { startProxyServer, type ProxyServer } from '../../src/chaos/index.js';
import { createFaultSchedule } from '../../src/lab/fault-schedule.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';
import { Cleanup, connectTo, startEcho } from '../helpers/chaos-net.js';

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

function plannedFaults(faults: unknown[], seconds = 10) {
  const scenario = scenarioSchema.parse({
    name: 's',
    load: { model: 'closed', phases: [{ duration: seconds, connections: 1 }], requests: [{ path: '/' }] },
    faults,
  });
  return buildPlan(scenario).faults ?? [];
}

describe('the fault schedule', () => {
  it('applies and removes each fault at its time on the load clock and records when it really happened', async () => {
    const server = await proxyServer();
    const faults = plannedFaults([
      { at: 0.2, for: 0.3, on: 'db', latency: { latency: 50 } },
      { at: 0.4, on: 'recommendations', http: { status: 503, ratio: 0.5 } },
      { at: 5, for: 1, on: 'db', reset_peer: {} },
    ]);
    const schedule = createFaultSchedule({ faults, adminUrl: server.adminUrl });
    await schedule.prepare();
    const zero = Date.now() + 100;
    schedule.begin(zero);
    const db = server.proxies.get('db');
    const recs = server.proxies.get('recommendations');
    await expect.poll(() => db.toxics().map((t) => t.type), { interval: 5 }).toEqual(['latency']);
    const appliedAt = (Date.now() - zero) / 1000;
    await expect.poll(() => recs.toxics().map((t) => t.type), { interval: 5 }).toEqual(['http_status']);
    await expect.poll(() => db.toxics(), { interval: 5 }).toEqual([]);
    const removedAt = (Date.now() - zero) / 1000;
    // Interrupted at ~0.8 s: the open http window is cut there; the 5 s one never started.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, zero + 800 - Date.now())));
    const records = await schedule.finish();
    expect(recs.toxics()).toEqual([]);
    expect(records).toHaveLength(2);
    const [latency, http] = records;
    expect(latency).toMatchObject({ on: 'db', kind: 'latency', attributes: { latency: 50, jitter: 0 } });
    expect(latency).toMatchObject({ plannedStartS: 0.2, plannedEndS: 0.5 });
    expect(latency?.startS).toBeGreaterThanOrEqual(0.2);
    expect(latency?.startS).toBeLessThanOrEqual(appliedAt + 0.02);
    expect(latency?.endS).toBeGreaterThanOrEqual(0.5);
    expect(latency?.endS).toBeLessThanOrEqual(removedAt);
    expect(Math.abs((latency?.startS ?? 0) - 0.2)).toBeLessThan(0.1);
    expect(Math.abs((latency?.endS ?? 0) - 0.5)).toBeLessThan(0.1);
    expect(http).toMatchObject({
      on: 'recommendations',
      kind: 'http_status',
      toxicity: 0.5,
      plannedEndS: 10,
    });
    expect(http?.endS).toBeGreaterThanOrEqual(0.8);
    expect(http?.endS).toBeLessThan(1.5);
  });

  it('refuses, before the load, a fault on a dependency the proxy has no proxy for', async () => {
    const server = await proxyServer();
    await server.proxies.remove('recommendations');
    const faults = plannedFaults([{ at: 1, on: 'recommendations', http: { cut: true } }]);
    const error = await createFaultSchedule({ faults, adminUrl: server.adminUrl })
      .prepare()
      .catch((e: unknown) => e);
    expect(isLoadlabError(error, 'BAD_FLAG')).toBe(true);
    expect(isLoadlabError(error) ? error.problems.join() : '').toContain('"recommendations" (it has db)');
  });

  it('takes a dependency down for its window: connections are refused inside it and accepted after', async () => {
    const server = await proxyServer();
    const db = server.proxies.get('db');
    const port = Number(db.listen.split(':').pop());
    const open = await connectTo(cleanup, port);
    const cut = new Promise<void>((resolve) => open.once('close', () => resolve()));
    const faults = plannedFaults([{ at: 0.2, for: 0.4, on: 'db', down: true }]);
    expect(faults[0]).toMatchObject({ kind: 'down', startMs: 200, endMs: 600 });
    const schedule = createFaultSchedule({ faults, adminUrl: server.adminUrl });
    await schedule.prepare();
    const zero = Date.now();
    schedule.begin(zero);
    await expect.poll(() => db.enabled, { interval: 5 }).toBe(false);
    const downAt = (Date.now() - zero) / 1000;
    await cut; // an open connection is cut when the dependency goes down
    const refused = await connectTo(cleanup, port).then(
      () => 'connected',
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    await expect.poll(() => db.enabled, { interval: 5, timeout: 3000 }).toBe(true);
    const upAt = (Date.now() - zero) / 1000;
    expect(db.listen).toBe(`127.0.0.1:${port}`); // back on the same address
    await connectTo(cleanup, port);
    const [record] = await schedule.finish();
    expect(record).toMatchObject({
      on: 'db',
      kind: 'down',
      attributes: {},
      plannedStartS: 0.2,
      plannedEndS: 0.6,
    });
    // Recorded when it really happened: not before the plan, not after it was seen.
    expect(record?.startS).toBeGreaterThanOrEqual(0.2);
    expect(record?.startS).toBeLessThanOrEqual(downAt + 0.02);
    expect(record?.endS).toBeGreaterThanOrEqual(0.6);
    expect(record?.endS).toBeLessThanOrEqual(upAt + 0.02);
    expect(record?.error).toBeUndefined();
  });

  it('keeps a dependency down until the last of two overlapping down windows ends', async () => {
    const server = await proxyServer();
    const db = server.proxies.get('db');
    const faults = plannedFaults([
      { at: 0.1, for: 0.3, on: 'db', down: true },
      { at: 0.2, for: 0.5, on: 'db', down: true },
    ]);
    const schedule = createFaultSchedule({ faults, adminUrl: server.adminUrl });
    await schedule.prepare();
    const zero = Date.now();
    schedule.begin(zero);
    await expect.poll(() => db.enabled, { interval: 5 }).toBe(false);
    // Past the first window's end (0.4 s), before the second's (0.7 s): still down.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, zero + 550 - Date.now())));
    expect(db.enabled).toBe(false);
    await expect.poll(() => db.enabled, { interval: 5, timeout: 3000 }).toBe(true);
    expect(Date.now() - zero).toBeGreaterThanOrEqual(690);
    expect(await schedule.finish()).toHaveLength(2);
  });

  it('brings a dependency back when the run ends inside its down window', async () => {
    const server = await proxyServer();
    const db = server.proxies.get('db');
    const faults = plannedFaults([{ at: 0.1, on: 'db', down: true }]);
    const schedule = createFaultSchedule({ faults, adminUrl: server.adminUrl });
    await schedule.prepare();
    schedule.begin(Date.now());
    await expect.poll(() => db.enabled, { interval: 5 }).toBe(false);
    const [record] = await schedule.finish();
    expect(db.enabled).toBe(true);
    expect(record).toMatchObject({ kind: 'down', plannedEndS: 10 });
    expect(record?.endS).toBeLessThan(5);
  });
});
