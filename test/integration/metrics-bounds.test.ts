import { afterEach, describe, expect, it } from 'vitest';
import { readMetrics, startPromScraper, type PromScraper } from '../../src/telemetry/index.js';
import { startMisbehavingTarget, type MisbehavingTarget } from '../helpers/misbehaving-metrics.js';

let target: MisbehavingTarget | undefined;
let scraper: PromScraper | undefined;
afterEach(async () => {
  await scraper?.stop();
  scraper = undefined;
  await target?.close();
  target = undefined;
});

describe('reading a /metrics that misbehaves', () => {
  it('gives up on a trickling body at the total deadline, not at the end of the body', async () => {
    // 1 KB every 50 ms for up to 1 MB: 50 s of body, each chunk well inside any idle timeout.
    target = await startMisbehavingTarget({ kind: 'trickle', capBytes: 1024 * 1024 });
    const started = performance.now();
    const read = await readMetrics(target.url, { deadlineMs: 400, maxBytes: 16 * 1024 * 1024 });
    const tookMs = performance.now() - started;
    expect(read).toMatchObject({ ok: false, kind: 'deadline' });
    expect(tookMs).toBeGreaterThanOrEqual(390);
    expect(tookMs).toBeLessThan(400 * 3);
    await expect.poll(() => target?.exchanges[0]?.closedByReader).toBe(true);
  });

  it('stops reading a huge body at the size cap and drops the connection', async () => {
    target = await startMisbehavingTarget({ kind: 'huge', capBytes: 256 * 1024 * 1024 });
    const maxBytes = 1024 * 1024;
    const read = await readMetrics(target.url, { deadlineMs: 10_000, maxBytes });
    expect(read).toMatchObject({ ok: false, kind: 'too-large' });
    if (!read.ok) expect(read.reason).toContain('more than 1 MiB');
    await expect.poll(() => target?.exchanges[0]?.closedByReader).toBe(true);
    // The server stopped far short of its own cap: the reader, not the server, ended it.
    expect(target.exchanges[0]?.bytesSent).toBeLessThan(64 * maxBytes);
  });

  it('has the scraper stop on a body over its cap and say why', async () => {
    target = await startMisbehavingTarget({ kind: 'huge', capBytes: 256 * 1024 * 1024 });
    scraper = startPromScraper({ url: target.url, intervalMs: 50, maxBytes: 512 * 1024, onSample: () => {} });
    await expect.poll(() => scraper?.stoppedBecause).toContain('more than 512 KiB');
    expect(target.exchanges).toHaveLength(1);
  });

  it('lets the scraper stop at once while a scrape trickles, instead of waiting for the body', async () => {
    target = await startMisbehavingTarget({ kind: 'trickle', capBytes: 1024 * 1024 });
    const s = startPromScraper({ url: target.url, timeoutMs: 60_000, onSample: () => {} });
    scraper = s;
    await expect.poll(() => target?.exchanges[0]?.bytesSent ?? 0).toBeGreaterThan(2048);
    const started = performance.now();
    await s.stop();
    expect(performance.now() - started).toBeLessThan(500);
    await expect.poll(() => target?.exchanges[0]?.closedByReader).toBe(true);
    expect(s.scrapes).toBe(0);
  });

  it('counts a scrape past its deadline as a failure with its reason, and keeps scraping', async () => {
    target = await startMisbehavingTarget({ kind: 'trickle', capBytes: 1024 * 1024 });
    scraper = startPromScraper({ url: target.url, intervalMs: 100, timeoutMs: 150, onSample: () => {} });
    await expect.poll(() => scraper?.failures ?? 0).toBeGreaterThanOrEqual(2);
    expect(scraper.lastFailure).toBe('GET /metrics did not finish within 150 ms');
    expect(scraper.stoppedBecause).toBeUndefined();
  });
});
