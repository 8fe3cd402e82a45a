import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/index.js';
import type { ServiceSample } from '../../src/telemetry/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-telemetry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => killStartedClis());

async function runScenario(name: string, body: string, extra: string[] = []): Promise<ResultDocument> {
  const scenario = join(dir, `${name}.yaml`);
  await writeFile(scenario, `name: ${name}\n${body}`);
  const out = join(dir, name);
  const run = await runCli(['run', scenario, '--out', out, '--quiet', ...extra]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
}

const samplesOf = (result: ResultDocument): ServiceSample[] =>
  result.series.flatMap((p) => (p.service === undefined ? [] : [p.service]));

/**
 * One sample a second over a load of `durationS`: every second but possibly the first and the last
 * carries one, the sampled seconds run without a gap, and the service sent about one a second.
 */
function expectOneSampleASecond(result: ResultDocument, durationS: number): void {
  const sampled = result.series.filter((p) => p.service !== undefined).map((p) => p.t);
  expect(sampled.length).toBeGreaterThanOrEqual(durationS - 2);
  expect(sampled).toEqual(sampled.map((_, i) => (sampled[0] as number) + i));
  for (let t = 1; t < durationS - 1; t++) expect(sampled).toContain(t);
  expect(result.telemetry?.samples).toBeGreaterThanOrEqual(durationS - 2);
  expect(result.telemetry?.samples).toBeLessThanOrEqual(durationS + 2);
}

describe('service telemetry in a run of the reference service', () => {
  it('puts one in-process sample a second on the load clock, with plausible runtime, pool and cache figures', async () => {
    const result = await runScenario(
      'telemetry-reference',
      `load:
  model: closed
  phases:
    - { name: only, duration: 4s, connections: 8 }
  requests:
    - { path: "/users/{{uniform 1 1000}}" }
`,
    );
    expect(result.telemetry?.source).toBe('ipc');
    const samples = samplesOf(result);
    expectOneSampleASecond(result, 4);
    for (const s of samples) {
      expect(s.heapUsedBytes).toBeGreaterThan(1_000_000);
      expect(s.heapTotalBytes).toBeGreaterThanOrEqual(s.heapUsedBytes as number);
      expect(s.rssBytes).toBeGreaterThan(s.heapUsedBytes as number);
      expect(s.elu).toBeGreaterThan(0);
      expect(s.elu).toBeLessThanOrEqual(1);
      expect(s.eventLoopDelayMs?.p99).toBeGreaterThanOrEqual(s.eventLoopDelayMs?.p50 as number);
      expect(s.eventLoopDelayMs?.max).toBeGreaterThanOrEqual(s.eventLoopDelayMs?.p99 as number);
      expect(s.eventLoopDelayMs?.max).toBeLessThan(2000);
      expect(s.cpuUserPct).toBeGreaterThan(0);
      expect(s.cpuUserPct).toBeLessThan(250);
      expect(s.activeHandles).toBeGreaterThan(0);
      expect(s.pool?.inUse).toBeGreaterThanOrEqual(0);
      expect(s.pool?.idle).toBeGreaterThanOrEqual(0);
      expect(s.pool?.waiting).toBeGreaterThanOrEqual(0);
      expect(s.inFlight).toBeGreaterThanOrEqual(0);
      // GC figures start with the first GC (prom-client's gc histogram is empty before it).
      if (s.gcPauseMs !== undefined) expect(s.gcPauseMs).toBeGreaterThanOrEqual(0);
    }
    expect(samples.some((s) => (s.gcCount ?? 0) > 0 && (s.gcPauseMs ?? 0) > 0)).toBe(true);
    // Every GET reads the cache: the cache reads of the sampled seconds are of the order of the
    // responses of those seconds (not more than all responses of the run).
    const reads = samples.reduce(
      (sum, s) => sum + Object.values(s.cache ?? {}).reduce((a, b) => a + b, 0),
      0,
    );
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(result.summary.requests + 50);
    expect(result.findings?.map((f) => f.rule)).toContain('event-loop-delay');
    expect(result.findings?.find((f) => f.rule === 'gc-pauses')?.verdict).not.toBe('not-enough-data');
  }, 60_000);
});

describe('a run with a scheduled fault', () => {
  it('records the window and finds the latency it caused', async () => {
    const result = await runScenario(
      'telemetry-fault',
      `service:
  cache: { enabled: false }
load:
  model: closed
  phases:
    - { name: only, duration: 6s, connections: 4 }
  requests:
    - { path: "/users/{{uniform 1 1000}}" }
faults:
  - { at: 2s, for: 2s, on: db, latency: { latency: 300 } }
`,
    );
    expect(result.faults).toHaveLength(1);
    const [fault] = result.faults!;
    expect(fault!.startS).toBeGreaterThanOrEqual(2);
    expect(fault!.startS).toBeLessThan(2.5);
    const finding = result.findings?.find((f) => f.rule === 'fault-latency');
    expect(finding?.verdict).toBe('found');
    expect(finding?.message).toContain('db latency');
    // Every read waits 300 ms on the database inside the window: its seconds are the ones found.
    expect(finding?.seconds).toEqual(expect.arrayContaining([Math.ceil(fault!.startS)]));
    expect(finding?.seconds?.every((t) => t + 1 > fault!.startS && t < fault!.endS)).toBe(true);
  }, 60_000);
});

describe('service telemetry from a --target that serves prom-client metrics', () => {
  let server: Server;
  const metricsSockets = new Set<Socket>();
  beforeAll(async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const inFlight = new Counter({
      name: 'http_requests_total',
      help: 'h',
      labelNames: ['route'],
      registers: [registry],
    });
    server = createServer((req, res) => {
      if (req.url === '/metrics') {
        metricsSockets.add(req.socket);
        void registry.metrics().then((text) => res.end(text));
        return;
      }
      inFlight.inc({ route: '/' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('scrapes /metrics once a second over one keep-alive connection and maps the default metrics', async () => {
    const { port } = server.address() as AddressInfo;
    const result = await runScenario(
      'telemetry-target',
      `load:
  model: closed
  phases:
    - { name: only, duration: 4s, connections: 4 }
  requests:
    - { path: "/" }
`,
      ['--target', `http://127.0.0.1:${port}`],
    );
    expect(result.telemetry?.source).toBe('prometheus');
    const samples = samplesOf(result);
    expectOneSampleASecond(result, 4);
    for (const s of samples) {
      expect(s.heapUsedBytes).toBeGreaterThan(1_000_000);
      expect(s.rssBytes).toBeGreaterThan(0);
      expect(s.cpuUserPct).toBeGreaterThanOrEqual(0);
      expect(s.eventLoopDelayMs?.p99).toBeGreaterThanOrEqual(0);
      // Not in prom-client's defaults, nor served by this target: absent, not zero.
      expect(s.elu).toBeUndefined();
      expect(s.pool).toBeUndefined();
    }
    // The end-of-run count is a separate fetch; the scraper itself held one connection.
    expect(metricsSockets.size).toBeLessThanOrEqual(2);
  }, 60_000);
});
