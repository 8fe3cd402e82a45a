/**
 * A target's /metrics read as the load reaches the target: over TLS with a private authority,
 * a client certificate, the Host override and the --header headers, over HTTP/1.1 and HTTP/2; and
 * without the authority, a failure named by its error kind rather than silence. Certificates are
 * made at test time; the targets are child processes on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetryCollector, type TelemetryCollector } from '../../src/lab/telemetry-collector.js';
import { sideRequestReach, type TransportSpec } from '../../src/load/index.js';
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

function collect(url: string, spec?: Omit<TransportSpec, 'url'>): TelemetryCollector {
  const collector = startTelemetryCollector({
    url,
    ...(spec === undefined ? {} : { reach: sideRequestReach({ url, ...spec }) }),
  });
  cleanups.push(() => collector.stop());
  return collector;
}

describe('reading the /metrics of an https target', () => {
  it('reads over HTTP/1.1 with the private authority, the Host override and the headers', async () => {
    const target = await startSecureTarget({ kind: 'https', cert: certs.good, metrics: true });
    cleanups.push(() => target.close());
    const collector = collect(target.url, {
      protocol: 'h1',
      tls: { caFile: certs.ca },
      headers: { 'x-run': 'scrape' },
      host: 'localhost',
    });
    // The first sample needs two scrapes, a second apart.
    await expect.poll(() => collector.info().samples, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(collector.info()).toEqual({ source: 'prometheus', samples: expect.any(Number) });
    const reads = await target.metricsReads();
    expect(reads.reads).toBeGreaterThanOrEqual(2);
    expect(reads).toMatchObject({ host: 'localhost', xRun: 'scrape' });
  });

  it('reads over HTTP/2 presenting the client certificate the target demands', async () => {
    const target = await startSecureTarget({
      kind: 'h2',
      cert: certs.good,
      clientCa: certs.ca,
      metrics: true,
    });
    cleanups.push(() => target.close());
    const collector = collect(target.url, {
      protocol: 'h2',
      tls: { caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key },
    });
    await expect.poll(() => collector.info().samples, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const now = Date.now();
    const samples = [...collector.aligned(now - 10_000, 20).values()];
    expect(samples[0]?.heapUsedBytes).toBeGreaterThan(0);
    // HTTP/2 names the host in :authority, which only an HTTP/2 read sends.
    expect((await target.metricsReads()).host).toBe(new URL(target.url).host);
  });

  it('without the authority, records the TLS failure by its error kind, not silence', async () => {
    const target = await startSecureTarget({ kind: 'https', cert: certs.good, metrics: true });
    cleanups.push(() => target.close());
    const collector = collect(target.url);
    await expect.poll(() => collector.info().errorKind, { timeout: 5000 }).toBe('tls-untrusted');
    const info = collector.info();
    expect(info.samples).toBe(0);
    expect(info.note).toMatch(
      /^no two successive scrapes of \/metrics succeeded \(last: GET \/metrics failed at TLS: the certificate chains to no trusted authority \(error kind "tls-untrusted"\): /,
    );
    expect((await target.metricsReads()).reads).toBe(0);
  });

  it('reads an h2c target (which speaks no HTTP/1.1) over HTTP/2 by prior knowledge', async () => {
    const target = await startSecureTarget({ kind: 'h2c', metrics: true });
    cleanups.push(() => target.close());
    const collector = collect(target.url, { protocol: 'h2c', headers: { 'x-run': 'h2c' } });
    await expect.poll(() => collector.info().samples, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect((await target.metricsReads()).xRun).toBe('h2c');
  });
});
