/**
 * Load over HTTPS, HTTP/2 (ALPN; closed and open model) and HTTP/2 in cleartext (prior knowledge:
 * resets and GOAWAYs) against local Node servers answering after a fixed 4 ms (1 ms for h2c):
 * every answer the engine counts is one the server counted,
 * the latency sits in the same band as plain HTTP/1.1, many streams share one connection (as
 * the server's SETTINGS allow, recorded), and connect and TLS times are recorded per connection.
 * Worker threads run compiled code from dist/; each run lasts 1 s.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoadAggregate, runLoad, type TransportSpec } from '../../src/load/index.js';
import { summarizeLatencyMs } from '../../src/metrics/index.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';
import { startLoadTarget } from '../helpers/load-target.js';
import { makeCertificates, startSecureTarget, type TestCertificates } from '../helpers/tls-target.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** One 1 s run at `url` over `transport`: what the engine counted, and its latency p50 (ms). */
async function run(load: Record<string, unknown>, transport: Omit<TransportSpec, 'url'>, url: string) {
  const scenario = scenarioSchema.parse({
    name: 'transport',
    load: { timeout: '2s', requests: [{ path: '/load' }], ...load },
  });
  const aggregate = new LoadAggregate();
  const outcome = await runLoad({
    plan: buildPlan(scenario),
    requests: scenario.load.requests,
    targetUrl: url,
    transport: { url, ...transport },
    seed: 1,
    timeoutMs: scenario.load.timeout,
    startEpochMs: Date.now() + 300,
    signal: new AbortController().signal,
    aggregate,
  });
  return { outcome, aggregate, p50: summarizeLatencyMs(aggregate.total).p50 };
}

/** 8 loops: over HTTP/1.1 8 connections, over HTTP/2 8 streams. */
const closed = { model: 'closed', phases: [{ name: 'm', duration: 1, connections: 8 }] };

describe('load over TLS and HTTP/2', () => {
  it('answers every request the servers counted, in the band of plain HTTP/1.1, with streams sharing a connection', async () => {
    const plain = await startLoadTarget({ kind: 'delay', ms: 4 });
    const https = await startSecureTarget({ kind: 'https', cert: certs.good, delayMs: 4 });
    const h2 = await startSecureTarget({
      kind: 'h2',
      cert: certs.good,
      delayMs: 4,
      maxConcurrentStreams: 50,
    });
    cleanups.push(
      () => plain.close(),
      () => https.close(),
      () => h2.close(),
    );
    const tls = { caFile: certs.ca };

    const base = await run(closed, { protocol: 'h1' }, plain.url);
    const overTls = await run(closed, { protocol: 'h1', tls }, https.url);
    const multiplexed = await run(closed, { protocol: 'h2', tls, h2: { connections: 1 } }, h2.url);
    for (const [name, r, target] of [
      ['http', base, plain],
      ['https', overTls, https],
      ['h2', multiplexed, h2],
    ] as const) {
      expect(r.outcome.failure).toBeUndefined();
      expect(r.aggregate.requests).toBeGreaterThan(20);
      expect({ name, errors: r.aggregate.errorsByKind }).toEqual({ name, errors: {} });
      expect(r.aggregate.requests).toBe(await target.countOf('/load'));
      expect(r.outcome.sent).toBe(r.outcome.responses);
      // Same band as plain HTTP/1.1 in the same test: never under the 4 ms timer, and not far
      // over plain HTTP/1.1's own p50 (a ratio with some slack: TLS costs CPU on a shared machine).
      expect(r.p50).toBeGreaterThanOrEqual(4);
      expect({ name, p50: r.p50 < Math.max(4 * base.p50, base.p50 + 15) }).toEqual({ name, p50: true });
    }
    // The open model over HTTP/2: every due request sent and answered (its latency, timed from
    // the due time, includes the start-up wait for the connection and the server's SETTINGS).
    const open = { model: 'open', phases: [{ name: 'm', duration: 1, rate: 200 }] };
    const before = await h2.countOf('/load');
    const arrivals = await run(open, { protocol: 'h2', tls, h2: { connections: 1 } }, h2.url);
    expect(arrivals.aggregate.errorsByKind).toEqual({});
    expect(arrivals.outcome.sent).toBe(200);
    expect(arrivals.aggregate.requests).toBe((await h2.countOf('/load')) - before);
    expect(arrivals.outcome.connections.h2?.peakStreamsPerConnection).toBeLessThanOrEqual(50);

    expect(overTls.outcome.connections).toMatchObject({ opened: 8 });
    expect(overTls.outcome.connections.tlsMs?.max).toBeGreaterThan(0);
    expect(base.outcome.connections.tlsMs).toBeUndefined();
    // HTTP/2: one connection, its streams as many as were in flight, the server's SETTINGS recorded.
    expect(multiplexed.outcome.connections.opened).toBe(1);
    expect(multiplexed.outcome.connections.h2?.settings?.maxConcurrentStreams).toBe(50);
    expect(multiplexed.outcome.connections.h2?.peakStreamsPerConnection).toBe(8);
  });

  it('counts streams the server resets as "h2-reset", the other requests answered', async () => {
    const h2c = await startSecureTarget({ kind: 'h2c', delayMs: 1, resetPath: '/reset' });
    cleanups.push(() => h2c.close());
    const scenario = {
      model: 'closed',
      phases: [{ name: 'm', duration: 1, connections: 4 }],
      requests: [{ path: '/load', weight: 3 }, { path: '/reset' }],
    };
    const r = await run(scenario, { protocol: 'h2c' }, h2c.url);
    expect(r.aggregate.errorsByKind['h2-reset']).toBeGreaterThan(3);
    expect(Object.keys(r.aggregate.errorsByKind).filter((k) => k !== 'unanswered')).toEqual(['h2-reset']);
    expect(r.aggregate.requests).toBe(await h2c.countOf('/load'));
    expect(r.outcome.connections.h2?.resets).toBe(r.aggregate.errorsByKind['h2-reset']);
  });

  it('counts streams left unanswered at a GOAWAY as "h2-goaway", and opens a new connection', async () => {
    const h2c = await startSecureTarget({ kind: 'h2c', delayMs: 1, goawayEvery: 40 });
    cleanups.push(() => h2c.close());
    const r = await run(closed, { protocol: 'h2c' }, h2c.url);
    expect(r.aggregate.errorsByKind['h2-goaway']).toBeGreaterThan(0);
    expect(Object.keys(r.aggregate.errorsByKind).filter((k) => k !== 'unanswered')).toEqual(['h2-goaway']);
    // Every request accounted for once; none answered that the server did not answer. (A Node
    // server closing its session after GOAWAY counts some answers that never arrive whole, for
    // any client: docs/targets.md.)
    expect(r.outcome.sent).toBe(r.outcome.responses + r.outcome.transportErrors + r.outcome.unanswered);
    expect(r.aggregate.requests).toBeLessThanOrEqual(await h2c.countOf('/load'));
    expect(r.outcome.connections.h2?.goaways).toBeGreaterThan(0);
    expect(r.outcome.connections.opened).toBeGreaterThan(1);
  });
});
