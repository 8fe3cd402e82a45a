import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';

function scenario(): Record<string, unknown> {
  return {
    name: 'demo',
    service: { db: { pool: { max: 10 } } },
    load: {
      phases: [
        { duration: '5s', connections: 2 },
        { duration: '10s', connections: 8 },
      ],
      requests: [{ path: '/users' }],
    },
  };
}

/** The value at a path given as a list of keys and indexes. */
function get(root: unknown, at: readonly (string | number)[]): unknown {
  return at.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
    root,
  );
}

const applied: { set: string; at: (string | number)[]; value: unknown }[] = [
  { set: 'service.db.pool.max=20', at: ['service', 'db', 'pool', 'max'], value: 20 },
  { set: 'load.phases[0].connections=5', at: ['load', 'phases', 0, 'connections'], value: 5 },
  { set: 'service.cache.enabled=false', at: ['service', 'cache'], value: { enabled: false } },
  { set: 'load.phases[1].duration=5s', at: ['load', 'phases', 1, 'duration'], value: '5s' },
  { set: 'description="20"', at: ['description'], value: '20' },
  { set: 'description=', at: ['description'], value: '' },
  { set: 'description=a = b', at: ['description'], value: 'a = b' },
  { set: 'slo={p99Ms: 80, errorRate: 0.01}', at: ['slo'], value: { p99Ms: 80, errorRate: 0.01 } },
  {
    set: 'load.requests[0].expectStatus=[200, 204]',
    at: ['load', 'requests', 0, 'expectStatus'],
    value: [200, 204],
  },
  { set: 'slo=null', at: ['slo'], value: null },
  {
    set: 'load.phases[2]={duration: 1m, connections: 4}',
    at: ['load', 'phases'],
    value: [
      { duration: '5s', connections: 2 },
      { duration: '10s', connections: 8 },
      { duration: '1m', connections: 4 },
    ],
  },
  { set: 'extra.list[0].item=1', at: ['extra'], value: { list: [{ item: 1 }] } },
  {
    set: 'load.requests[0].headers["x.trace-id"]=on',
    at: ['load', 'requests', 0, 'headers'],
    value: { 'x.trace-id': 'on' },
  },
  { set: ' seed = 7', at: ['seed'], value: 7 },
];

describe('applyOverrides sets a value parsed as YAML at a dotted path', () => {
  it.each(applied)('$set', ({ set, at, value }) => {
    expect(get(applyOverrides(scenario(), [set]), at)).toEqual(value);
  });

  it('applies overrides in order, a later one winning', () => {
    const result = applyOverrides(scenario(), ['seed=1', 'seed=2']) as { seed: number };
    expect(result.seed).toBe(2);
  });

  it('leaves everything it was not asked to change', () => {
    const result = applyOverrides(scenario(), ['service.db.pool.max=20']);
    const expected = scenario();
    (expected.service as { db: { pool: { max: number } } }).db.pool.max = 20;
    expect(result).toEqual(expected);
  });

  it('does not change its input', () => {
    const input = scenario();
    const result = applyOverrides(input, ['service.db.pool.max=20', 'load.phases[0].connections=9', 'x.y=1']);
    expect(input).toEqual(scenario());
    expect(result).not.toBe(input);
  });

  it('starts from an empty object when the file was empty', () => {
    expect(applyOverrides(undefined, ['name=x'])).toEqual({ name: 'x' });
  });
});

const rejected: { set: string; reason: string }[] = [
  { set: 'service.db.pool.max', reason: 'expected path=value' },
  { set: '=5', reason: 'the path is empty' },
  { set: 'service..max=5', reason: 'empty field name at position 9' },
  { set: 'service.=5', reason: 'the path ends with "."' },
  {
    set: 'load.phases[x].connections=5',
    reason: 'bad index "[x]": expected a whole number such as [0], or a quoted name',
  },
  { set: 'load.phases[-1].connections=5', reason: 'bad index "[-1]"' },
  { set: 'load.phases[0.connections=5', reason: '"[" at position 12 has no closing "]"' },
  { set: 'load.phases[0]x=5', reason: 'unexpected "x" at position 15' },
  { set: 'name.first=x', reason: 'name is "demo", not an object or a list' },
  {
    set: 'load.phases[0].connections.max=3',
    reason: 'load.phases[0].connections is 2, not an object or a list',
  },
  { set: 'load.phases.first=3', reason: 'load.phases is a list: use an index, such as load.phases[0]' },
  { set: 'service[0]=3', reason: 'service is an object, not a list: use a field name, not [0]' },
  { set: 'load.phases[3].connections=1', reason: 'index 3 is past the end of load.phases (2 items)' },
  { set: '__proto__.polluted=1', reason: '"__proto__" is not a field name' },
  { set: 'slo={p99Ms: 80', reason: 'the value is not valid YAML' },
];

describe('applyOverrides rejects a malformed override with the reason', () => {
  it.each(rejected)('$set', ({ set, reason }) => {
    const error = catchError(() => applyOverrides(scenario(), [set]));
    expect(isLoadlabError(error, 'BAD_OVERRIDE')).toBe(true);
    expect((error as { problems: string[] }).problems).toHaveLength(1);
    expect((error as { problems: string[] }).problems[0]).toContain(`--set ${set}: ${reason}`);
  });

  it('lists every bad override at once, and only the bad ones', () => {
    const error = catchError(() => applyOverrides(scenario(), ['a', 'seed=3', 'b[', 'name.x=1']));
    expect(isLoadlabError(error, 'BAD_OVERRIDE')).toBe(true);
    expect((error as { exitCode: number }).exitCode).toBe(2);
    expect((error as { problems: string[] }).problems.map((p) => p.split(':')[0])).toEqual([
      '--set a',
      '--set b[',
      '--set name.x=1',
    ]);
  });

  it('treats inherited names as plain fields and never reaches a prototype', () => {
    const result = applyOverrides({}, ['constructor.prototype.polluted=1', 'toString.x=2']);
    expect(result).toEqual({ constructor: { prototype: { polluted: 1 } }, toString: { x: 2 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
