/**
 * The user cache's knobs over real sockets: single-flight under 1,000 concurrent misses,
 * stale-while-revalidate, negative caching.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, startReferenceService } from '../helpers/reference-service.js';

afterEach(closeAll);

describe('cache: single-flight', () => {
  it('with single-flight on, 1,000 concurrent misses for one key make exactly one store read', async () => {
    const svc = await startReferenceService({
      db: { delayMs: 1000 },
      agentConnections: 1000,
      knobs: { server: { requestTimeoutMs: 10_000 }, db: { queryTimeoutMs: 10_000 } },
    });
    // Open the 1,000 connections first, so that the reads all arrive while the first is loading.
    await Promise.all(Array.from({ length: 1000 }, () => svc.call('GET', '/health')));
    const answers = await Promise.all(Array.from({ length: 1000 }, () => svc.call('GET', '/users/7')));
    expect(answers.every((res) => res.status === 200)).toBe(true);
    expect(svc.db.readsOf(7)).toBe(1);
    expect(await svc.metric('cache_requests_total', { result: 'miss' })).toBe(1);
    // Any caller that arrived after the read finished was a plain hit.
    const coalesced = await svc.metric('cache_requests_total', { result: 'coalesced' });
    const hits = await svc.metric('cache_requests_total', { result: 'hit' });
    expect(coalesced + hits).toBe(999);
    expect(coalesced).toBeGreaterThan(900);
  }, 30_000);

  it('with single-flight off, concurrent misses for one key each read the store', async () => {
    const svc = await startReferenceService({
      db: { delayMs: 200 },
      knobs: { cache: { singleflight: false } },
    });
    await Promise.all(Array.from({ length: 50 }, () => svc.call('GET', '/users/8')));
    expect(svc.db.readsOf(8)).toBe(50);
  });
});

describe('cache: stale-while-revalidate', () => {
  for (const singleflight of [true, false]) {
    it(`serves an expired entry at once while one background read refreshes it (single-flight ${singleflight ? 'on' : 'off'})`, async () => {
      const svc = await startReferenceService({
        knobs: { cache: { ttlMs: 100, staleWhileRevalidateMs: 10_000, singleflight } },
      });
      expect((await svc.call('GET', '/users/5')).status).toBe(200);
      await sleep(150); // let the entry outlive ttlMs
      svc.db.behaviour.delayMs = 300;
      const stale = await svc.call('GET', '/users/5');
      expect(stale).toMatchObject({ status: 200, body: { id: 5 } });
      expect(stale.ms).toBeLessThan(250); // not waiting for the 300 ms store read
      expect(await svc.metric('cache_requests_total', { result: 'stale' })).toBe(1);
      // Once the refresh lands it is the new fresh entry: reads are hits again.
      await expect
        .poll(
          async () => {
            await svc.call('GET', '/users/5');
            return svc.metric('cache_requests_total', { result: 'hit' });
          },
          { timeout: 3000, interval: 100 },
        )
        .toBeGreaterThanOrEqual(1);
      // With single-flight on, the stale reads made while it was under way shared that refresh.
      if (singleflight) expect(svc.db.readsOf(5)).toBe(2);
      else expect(svc.db.readsOf(5)).toBeGreaterThanOrEqual(2);
    });
  }

  it('with single-flight on, many stale reads at once make a single refresh', async () => {
    const svc = await startReferenceService({
      knobs: { cache: { ttlMs: 100, staleWhileRevalidateMs: 10_000 } },
    });
    await svc.call('GET', '/users/6');
    await sleep(150);
    svc.db.behaviour.delayMs = 300;
    const answers = await Promise.all(Array.from({ length: 20 }, () => svc.call('GET', '/users/6')));
    expect(answers.every((res) => res.status === 200 && res.ms < 250)).toBe(true);
    await expect.poll(() => svc.db.readsOf(6)).toBe(2);
    expect(await svc.metric('cache_requests_total', { result: 'stale' })).toBe(20);
  });

  it('treats an entry older than ttlMs + staleWhileRevalidateMs as a miss', async () => {
    const svc = await startReferenceService({
      knobs: { cache: { ttlMs: 50, staleWhileRevalidateMs: 50 } },
    });
    await svc.call('GET', '/users/9');
    await sleep(150);
    svc.db.behaviour.delayMs = 200;
    const res = await svc.call('GET', '/users/9');
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(195);
    expect(await svc.metric('cache_requests_total', { result: 'stale' })).toBe(0);
    expect(await svc.metric('cache_requests_total', { result: 'miss' })).toBe(2);
  });
});

describe('cache: negative caching', () => {
  for (const singleflight of [true, false]) {
    it(`keeps a not-found answer for negativeTtlMs, then asks the store again (single-flight ${singleflight ? 'on' : 'off'})`, async () => {
      const svc = await startReferenceService({
        db: { users: 10 },
        knobs: { cache: { negativeTtlMs: 200, singleflight } },
      });
      expect((await svc.call('GET', '/users/500')).status).toBe(404);
      expect((await svc.call('GET', '/users/500')).status).toBe(404);
      expect(svc.db.readsOf(500)).toBe(1);
      expect(await svc.metric('cache_requests_total', { result: 'negative' })).toBe(1);
      await sleep(250);
      expect((await svc.call('GET', '/users/500')).status).toBe(404);
      expect(svc.db.readsOf(500)).toBe(2);
    });
  }

  it('does not cache not-found when negativeTtlMs is 0 (the default)', async () => {
    const svc = await startReferenceService({ db: { users: 10 } });
    for (let i = 0; i < 3; i++) expect((await svc.call('GET', '/users/501')).status).toBe(404);
    expect(svc.db.readsOf(501)).toBe(3);
    expect(await svc.metric('cache_requests_total', { result: 'negative' })).toBe(0);
  });
});
