/**
 * The cache-hit path's decisions, with fakes: when it answers, what it writes and counts, and
 * every case it hands to fastify untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createCacheHitPath } from '../../reference-service/src/http/cache-hit-path.js';

const user = { id: 3, name: 'Ada', email: 'ada@example.test' };

function setup(options: { open?: boolean; slotFree?: boolean; cached?: boolean } = {}) {
  const calls: string[] = [];
  const path = createCacheHitPath({
    users: {
      peek: (id) => {
        calls.push(`peek ${id}`);
        return options.cached === false ? undefined : { ...user, id };
      },
    },
    tracker: {
      runAtOnce: (work) => {
        if (options.slotFree === false) return false;
        calls.push('slot');
        return work();
      },
    },
    metrics: {
      httpResponseCounter: (method, route, status) => () => calls.push(`count ${method} ${route} ${status}`),
    },
    open: () => options.open ?? true,
  });
  const written: unknown[] = [];
  const response = {
    writeHead: (status: number, headers: Record<string, string>) => written.push(status, headers),
    end: (body: string) => written.push(body),
  } as unknown as ServerResponse;
  const answer = (method: string, url: string) => path({ method, url } as IncomingMessage, response);
  return { calls, written, answer };
}

describe('cache-hit path', () => {
  it('answers a cached user with 200, fastify’s JSON headers and body, counted once under the route pattern', () => {
    const { calls, written, answer } = setup();
    expect(answer('GET', '/users/3')).toBe(true);
    const body = JSON.stringify(user);
    expect(written).toEqual([
      200,
      { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) },
      body,
    ]);
    expect(calls).toEqual(['slot', 'peek 3', 'count GET /users/:id 200']);
  });

  it('hands on, having written and counted nothing, whatever is not a plain hit it may answer', () => {
    const cases: [Parameters<typeof setup>[0], string, string][] = [
      [{}, 'HEAD', '/users/3'],
      [{}, 'POST', '/users/3'],
      [{}, 'GET', '/users/3?x=1'],
      [{}, 'GET', '/users/3/'],
      [{}, 'GET', '/users/3/profile'],
      [{}, 'GET', '/users/03'],
      [{}, 'GET', '/users/'],
      [{}, 'GET', '/health'],
      [{ open: false }, 'GET', '/users/3'],
      [{ slotFree: false }, 'GET', '/users/3'],
      [{ cached: false }, 'GET', '/users/3'],
    ];
    for (const [options, method, url] of cases) {
      const { calls, written, answer } = setup(options);
      expect(answer(method, url), `${JSON.stringify(options)} ${method} ${url}`).toBe(false);
      expect(written).toEqual([]);
      expect(calls.filter((c) => c.startsWith('count'))).toEqual([]);
    }
  });
});
