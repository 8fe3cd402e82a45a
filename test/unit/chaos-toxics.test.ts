import { describe, expect, it } from 'vitest';
import { toxicApplies } from '../../src/chaos/connection.js';
import { parseToxic, ProxyApiError, toxicKinds } from '../../src/chaos/index.js';
import { sleepUntil } from '../../src/chaos/toxic.js';
import { performance } from 'node:perf_hooks';

describe('toxic registry', () => {
  it('has every Toxiproxy TCP toxic, with its attributes', () => {
    expect(
      Object.fromEntries([...toxicKinds].map(([type, kind]) => [type, Object.keys(kind.defaults)])),
    ).toEqual({
      latency: ['latency', 'jitter'],
      bandwidth: ['rate'],
      slow_close: ['delay'],
      timeout: ['timeout'],
      reset_peer: ['timeout'],
      slicer: ['average_size', 'size_variation', 'delay'],
      limit_data: ['bytes'],
    });
  });
});

describe('parseToxic', () => {
  it("fills in Toxiproxy's defaults and freezes the result", () => {
    const toxic = parseToxic({ type: 'latency', attributes: { latency: 50 } });
    expect(toxic).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    expect(Object.isFrozen(toxic) && Object.isFrozen(toxic.attributes)).toBe(true);
  });

  it.each([
    [{ type: 'nope' }, 400, 'invalid toxic type'],
    [{}, 400, 'missing required field: type'],
    [{ type: 'latency', stream: 'both' }, 400, 'stream was invalid'],
    [{ type: 'latency', toxicity: 1.5 }, 400, 'toxicity must be a number from 0 to 1'],
    [{ type: 'latency', attributes: { latency: -1, jitter: 'x' } }, 400, 'attributes.latency'],
    [[], 400, 'bad request body'],
  ])('rejects %j with %i', (input, status, message) => {
    const err = (() => {
      try {
        parseToxic(input);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProxyApiError);
    expect((err as ProxyApiError).status).toBe(status);
    expect((err as ProxyApiError).message).toContain(message);
  });

  it('reports every bad attribute at once', () => {
    expect(() => parseToxic({ type: 'slicer', attributes: { average_size: -1, delay: 'x' } })).toThrow(
      /attributes\.average_size.*attributes\.delay/,
    );
  });
});

describe('toxicity draws', () => {
  it('apply to their share of 10,000 connections within ±1 point, the same for the same seed', () => {
    const draw = (seed: number): boolean[] =>
      Array.from({ length: 10_000 }, (_, i) => toxicApplies(seed, i, 'lag', 0.3));
    const a = draw(42);
    expect(Math.abs(a.filter(Boolean).length / a.length - 0.3)).toBeLessThanOrEqual(0.01);
    expect(draw(42)).toEqual(a);
    expect(draw(43)).not.toEqual(a);
    expect(toxicApplies(1, 0, 'x', 0)).toBe(false);
    expect(toxicApplies(1, 0, 'x', 1)).toBe(true);
  });
});

describe('sleepUntil', () => {
  it('never wakes early on the performance clock', async () => {
    const now = (): number => performance.now();
    const signal = new AbortController().signal;
    for (let i = 0; i < 20; i++) {
      const deadline = now() + 3;
      await sleepUntil(deadline, now, signal);
      expect(now()).toBeGreaterThanOrEqual(deadline);
    }
  });

  it('returns at once when aborted', async () => {
    const controller = new AbortController();
    const now = (): number => performance.now();
    const t0 = now();
    const done = sleepUntil(t0 + 10_000, now, controller.signal);
    controller.abort();
    await done;
    expect(now() - t0).toBeLessThan(1000);
  });
});
