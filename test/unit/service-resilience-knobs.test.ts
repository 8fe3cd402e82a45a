/** The resilience knobs of the reference service: defaults, ranges, and the checks across fields. */
import { describe, expect, it } from 'vitest';
import { serviceKnobsSchema } from '../../reference-service/src/index.js';

describe('resilience knobs', () => {
  it('fills in every default', () => {
    const knobs = serviceKnobsSchema.parse({});
    expect(knobs.recommendations).toEqual({
      connections: 16,
      timeoutMs: 150,
      retry: { attempts: 2, backoffMs: 20, jitter: 'full', budgetRatio: 0.1 },
      breaker: { failureRatio: 0.5, minRequests: 20, halfOpenAfterMs: 2000, windowMs: 10_000 },
      fallback: true,
    });
    expect(knobs.server).toMatchObject({
      maxInFlight: 1024,
      queueMax: 0,
      queueTimeoutMs: 100,
      headersTimeoutMs: 10_000,
      receiveTimeoutMs: 30_000,
      connectionsCheckingIntervalMs: 1000,
      shed: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0 },
    });
    expect(knobs.cache).toMatchObject({ staleWhileRevalidateMs: 0, negativeTtlMs: 0 });
  });

  it.each([
    [{ recommendations: { retry: { attempts: 0 } } }, 'recommendations.retry.attempts'],
    [{ recommendations: { retry: { jitter: 'half' } } }, 'recommendations.retry.jitter'],
    [{ recommendations: { breaker: { failureRatio: 0 } } }, 'recommendations.breaker.failureRatio'],
    [{ server: { maxInFlight: 0 } }, 'server.maxInFlight'],
    [{ server: { headersTimeoutMs: 5000, receiveTimeoutMs: 1000 } }, 'server.headersTimeoutMs'],
    [{ server: { shed: { maxEventLoopDelayMs: -1 } } }, 'server.shed.maxEventLoopDelayMs'],
    [{ cache: { negativeTtlMs: 1.5 } }, 'cache.negativeTtlMs'],
  ])('rejects %j at %s', (input, path) => {
    const parsed = serviceKnobsSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('accepts headers and receive timeouts in the order Node requires, and a receive timeout of 0 (none)', () => {
    expect(
      serviceKnobsSchema.safeParse({ server: { headersTimeoutMs: 500, receiveTimeoutMs: 1000 } }).success,
    ).toBe(true);
    expect(
      serviceKnobsSchema.safeParse({ server: { headersTimeoutMs: 500, receiveTimeoutMs: 0 } }).success,
    ).toBe(true);
  });
});
