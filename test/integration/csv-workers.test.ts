/**
 * CSV rows through runLoad: the worker threads (compiled engines in dist/) stride the rows, so
 * with several workers no row is sent twice in a pass. Real loopback sockets.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadAggregate, runLoad } from '../../src/load/index.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function recordingTarget(): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

describe('csv rows across load workers', () => {
  it('sends no row twice when two workers share a file with more rows than requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadlab-csv-workers-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const rows = Array.from({ length: 400 }, (_, i) => `${i + 1},user${i + 1}`);
    writeFileSync(join(dir, 'users.csv'), ['id,name', ...rows].join('\n'));
    const target = await recordingTarget();
    const scenario = scenarioSchema.parse({
      name: 'csv-workers',
      load: {
        model: 'open',
        workers: 2,
        phases: [{ duration: 1, rate: 60 }],
        requests: [{ path: '/u/{{csv users.csv id}}/{{csv users.csv name}}' }],
      },
    });
    const outcome = await runLoad({
      plan: buildPlan(scenario),
      requests: scenario.load.requests,
      targetUrl: target.url,
      seed: 3,
      timeoutMs: scenario.load.timeout,
      startEpochMs: Date.now() + 300,
      signal: new AbortController().signal,
      aggregate: new LoadAggregate(),
      baseDir: dir,
    });
    // 60 due in the second; a request written just before the end may not have been read yet.
    expect(target.paths.length).toBeGreaterThanOrEqual(40);
    expect(target.paths.length).toBeLessThanOrEqual(outcome.sent);
    const ids = target.paths.map((p) => {
      const [, , id, name] = p.split('/');
      expect(name).toBe(`user${id}`);
      return Number(id);
    });
    // No row twice, and both workers sent: one the odd ids (rows 0, 2, …), the other the even.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((id) => id % 2 === 1)).toBe(true);
    expect(ids.some((id) => id % 2 === 0)).toBe(true);
  });
});
