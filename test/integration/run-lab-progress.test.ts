/**
 * The lab's progress events over real sockets: an open-model run against a target on loopback
 * that never answers, so the bound on requests in flight drops what each phase still owes. The
 * drops must reach the progress events while the run goes, not only the final summary.
 * Runs the compiled load workers (dist/): build first.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLab, type LabEvent } from '../../src/lab/index.js';
import { planRun, scenarioSchema } from '../../src/scenario/index.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** Answers `/` (the reachability check) and `/metrics` (404); holds every other request unanswered. */
async function silentTarget(): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/') res.end('ok');
    else if (req.url === '/metrics') res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

type Progress = Extract<LabEvent, { type: 'progress' }>;

describe('runLab progress events', () => {
  it('carry the open model’s dropped requests while the run goes, adding up to the summary’s', async () => {
    const targetUrl = await silentTarget();
    const scenario = scenarioSchema.parse({
      name: 'progress-dropped',
      load: {
        model: 'open',
        arrivals: 'uniform',
        maxInFlight: 10,
        timeout: '30s',
        phases: [
          { name: 'first', duration: '1s', rate: 100 },
          { name: 'second', duration: '3s', rate: 100 },
        ],
        requests: [{ path: '/held' }],
      },
    });
    const events: Progress[] = [];
    let settled = false;
    const running = runLab(planRun(scenario, { target: targetUrl, scenarioDir: process.cwd() }), {
      runtime: { execPath: process.execPath, env: { ...process.env } },
      environment: {
        loadlabVersion: 'test',
        node: process.version,
        os: 'test',
        cpuModel: 'test',
        cpus: 1,
        hostname: 'test',
      },
      signal: new AbortController().signal,
      onEvent: (e) => {
        if (e.type === 'progress') events.push(e);
      },
    }).finally(() => (settled = true));

    // The first phase ends at 1 s owing ~90 arrivals (10 were sent and are held): they are
    // dropped then, and show in the progress of the second phase, well before the run ends.
    await expect
      .poll(() => events.find((e) => (e.dropped ?? 0) > 0 && e.phase === 'second'), { timeout: 4000 })
      .toBeDefined();
    expect(settled).toBe(false);
    const early = events.find((e) => (e.dropped ?? 0) > 0) as Progress;
    expect(early.elapsedS).toBeLessThan(4);
    expect(early.dropped).toBeGreaterThanOrEqual(80);
    expect(early.dropped).toBeLessThanOrEqual(90);

    const { result } = await running;
    // Every progress event of the open model carries the count, and it never goes down.
    expect(events.every((e) => e.dropped !== undefined)).toBe(true);
    const counts = events.map((e) => e.dropped as number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBeLessThanOrEqual(result.summary.dropped);
    expect(result.summary.sent + result.summary.dropped).toBe(400);
  });
});
