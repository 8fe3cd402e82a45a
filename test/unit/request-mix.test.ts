import { describe, expect, it } from 'vitest';
import { compileRequestMix, requestMixProblems, type MixRequestSpec } from '../../src/load/request-mix.js';
import { isLoadlabError } from '../../src/shared/errors.js';
import { createRandom } from '../../protocol/random.js';

const designMix: MixRequestSpec[] = [
  { weight: 80, method: 'GET', path: '/users/{{zipf 1 100000 1.1}}' },
  { weight: 15, method: 'GET', path: '/users/{{uniform 1 100000}}/profile' },
  { weight: 5, method: 'POST', path: '/users', json: { name: 'user-{{seq}}' } },
];

describe('compileRequestMix', () => {
  it.each([
    { weights: [80, 15, 5] },
    { weights: [1, 1] },
    { weights: [0.1, 0.3, 0.6] },
    { weights: [1000, 1] },
  ])('picks requests in proportion to weights $weights over 20k draws', ({ weights }) => {
    const mix = compileRequestMix(
      weights.map((weight, i) => ({ weight, path: `/r/${i}` })),
      createRandom(11),
    );
    const draws = 20_000;
    const seen = weights.map(() => 0);
    for (let i = 0; i < draws; i++) {
      const request = mix.next();
      seen[request.index] = (seen[request.index] ?? 0) + 1;
      expect(request.path).toBe(`/r/${request.index}`);
    }
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((weight, i) => {
      const p = weight / total;
      // Four standard errors of a share over 20k draws.
      expect(Math.abs((seen[i] ?? 0) / draws - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / draws));
    });
  });

  it('renders paths and JSON bodies, with content-type on JSON requests only', () => {
    const mix = compileRequestMix(designMix, createRandom(1));
    const requests = Array.from({ length: 2000 }, () => mix.next());
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    posts.forEach((post, i) => {
      expect(post).toEqual({
        index: 2,
        method: 'POST',
        path: '/users',
        headers: { 'content-type': 'application/json' },
        body: `{"name":"user-${i + 1}"}`,
      });
    });
    for (const get of requests.filter((r) => r.method === 'GET')) {
      expect(get.path).toMatch(/^\/users\/\d+(\/profile)?$/);
      expect(get.headers).toEqual({});
      expect(get).not.toHaveProperty('body');
    }
  });

  it('renders header templates and keeps a content-type the scenario set', () => {
    const mix = compileRequestMix(
      [
        {
          path: '/x',
          headers: { 'x-request': 'r-{{seq}}', 'Content-Type': 'application/vnd.api+json' },
          json: { n: '{{seq 7}}' },
        },
      ],
      createRandom(1),
    );
    expect(mix.next()).toEqual({
      index: 0,
      method: 'GET',
      path: '/x',
      headers: { 'x-request': 'r-1', 'Content-Type': 'application/vnd.api+json' },
      body: '{"n":7}',
    });
    expect(mix.next().headers['x-request']).toBe('r-2');
  });

  it('gives every call its own headers object', () => {
    const mix = compileRequestMix([{ path: '/x', headers: { a: 'b' } }], createRandom(1));
    const first = mix.next();
    first.headers.a = 'changed';
    expect(mix.next().headers).toEqual({ a: 'b' });
  });

  it('gives the same sequence for the same seed, another for another seed', () => {
    const take = (seed: number) => {
      const mix = compileRequestMix(designMix, createRandom(seed));
      return Array.from({ length: 500 }, () => mix.next());
    };
    expect(take(5)).toEqual(take(5));
    expect(take(5)).not.toEqual(take(6));
  });

  it('throws SCENARIO_INVALID listing every template problem', () => {
    let caught: unknown;
    try {
      compileRequestMix(
        [{ path: '/ok' }, { path: '/users/{{zipff 1 2 1}}', json: { a: '{{uniform 1}}' } }],
        createRandom(1),
      );
    } catch (error) {
      caught = error;
    }
    expect(isLoadlabError(caught, 'SCENARIO_INVALID')).toBe(true);
    expect(isLoadlabError(caught) && caught.problems).toEqual([
      'load.requests[1].path: unknown value generator "zipff" (known: seq, uniform, zipf, choice, csv)',
      'load.requests[1].json.a: uniform expects 2 integers a b with a ≤ b, got "1"',
    ]);
  });
});

describe('requestMixProblems', () => {
  it.each<[string, unknown[], string[]]>([
    ['a valid mix', designMix, []],
    [
      'an unknown generator in a path',
      [{ path: '/a' }, { path: '/b' }, { path: '/users/{{zipff 1 100000 1.1}}' }],
      ['load.requests[2].path: unknown value generator "zipff" (known: seq, uniform, zipf, choice, csv)'],
    ],
    [
      'bad arguments in a nested body and a header',
      [{ path: '/u', headers: { 'x-id': '{{seq a}}' }, json: { user: { tags: ['{{zipf 1 x}}'] } } }],
      [
        'load.requests[0].headers["x-id"]: seq expects no argument or 1 integer start, got "a"',
        'load.requests[0].json.user.tags[0]: zipf expects 3 numbers a b s with a ≤ b and s > 0, got "1 x"',
      ],
    ],
    ['entries and fields of the wrong type, left to the schema', [null, 3, { path: 5, headers: 'x' }], []],
  ])('%s', (_name, requests, problems) => {
    expect(requestMixProblems(requests)).toEqual(problems);
  });

  it('prefixes problems with the given path', () => {
    expect(requestMixProblems([{ path: '/{{x}}' }], 'requests')).toEqual([
      'requests[0].path: unknown value generator "x" (known: seq, uniform, zipf, choice, csv)',
    ]);
  });
});
