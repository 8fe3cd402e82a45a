import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isLoadlabError, type LoadlabError } from '../../src/shared/errors.js';
import { loadScenario, scenarioJsonSchema } from '../../src/scenario/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'scenarios');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-scenario-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function loadError(
  file: string,
  options: Parameters<typeof loadScenario>[1] = {},
): Promise<LoadlabError> {
  const error = await loadScenario(file, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoadlabError(error)) throw new Error(`expected a LoadlabError, got ${String(error)}`);
  return error;
}

/** A valid scenario, written as a user would; each case breaks one thing in it. */
function base(): Record<string, unknown> {
  return {
    name: 'demo',
    service: { db: { pool: { max: 10 } } },
    dependencies: { db: { latency: { dist: 'constant', ms: 1 } } },
    load: {
      model: 'closed',
      phases: [
        { name: 'warm', duration: '5s', connections: 2 },
        { name: 'main', duration: '10s', connections: 8 },
      ],
      requests: [{ method: 'GET', path: '/users/1' }],
    },
    slo: { p99Ms: 50 },
  };
}

type Raw = ReturnType<typeof base> & {
  load: Record<string, unknown> & { phases: Record<string, unknown>[]; requests: Record<string, unknown>[] };
};

/** Turns the base scenario's load into a valid open-model load, for cases that then break it. */
function openModel(s: Raw): Raw['load'] {
  s.load.model = 'open';
  s.load.phases = [
    { name: 'warm', duration: '5s', rate: 100 },
    { name: 'ramp', duration: '10s', rate: { from: 100, to: 500 } },
  ];
  return s.load;
}

const cases: { what: string; edit: (s: Raw) => unknown; line: string }[] = [
  {
    what: 'a string where a number belongs',
    edit: (s) => ((s.service as { db: { pool: Record<string, unknown> } }).db.pool.max = 'ten'),
    line: 'service.db.pool.max: expected a number, got "ten"',
  },
  {
    what: 'a missing required field',
    edit: (s) => delete s.name,
    line: 'name: expected a string, got nothing',
  },
  {
    what: 'a duration with an unknown unit',
    edit: (s) => (s.load.phases[1]!.duration = '5q'),
    line: 'load.phases[1].duration: expected a duration such as "500ms", "5s" or "2m", got "5q"',
  },
  {
    what: 'a duration of the wrong type',
    edit: (s) => (s.load.phases[0]!.duration = true),
    line: 'load.phases[0].duration: expected a duration such as "500ms", "5s" or "2m", got true',
  },
  {
    what: 'a phase shorter than a second',
    edit: (s) => (s.load.phases[0]!.duration = '200ms'),
    line: 'load.phases[0].duration: must be at least 1s, got "200ms"',
  },
  {
    what: 'a misspelt field',
    edit: (s) => ((s.service as { db: { pool: Record<string, unknown> } }).db.pool.mx = 5),
    line: 'service.db.pool: unknown field "mx" (did you mean "max"?)',
  },
  {
    what: 'a field without its unit suffix',
    edit: (s) => ((s.service as { db: { pool: Record<string, unknown> } }).db.pool.acquireTimeout = 5),
    line: 'service.db.pool: unknown field "acquireTimeout" (did you mean "acquireTimeoutMs"?)',
  },
  {
    what: 'an unknown field with no close match',
    edit: (s) => (s.load.requests[0]!.bogus = 1),
    line: 'load.requests[0]: unknown field "bogus" (known fields: weight, method, path, headers, json, expectStatus)',
  },
  {
    what: 'a value outside an enum',
    edit: (s) => (s.load.requests[0]!.method = 'FETCH'),
    line: 'load.requests[0].method: expected one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", got "FETCH"',
  },
  {
    what: 'an enum value in the wrong case',
    edit: (s) => (s.load.requests[0]!.method = 'get'),
    line: 'load.requests[0].method: expected one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", got "get" (did you mean "GET"?)',
  },
  {
    what: 'an unknown latency distribution',
    edit: (s) =>
      ((s.dependencies as { db: Record<string, unknown> }).db.latency = { dist: 'lognormel', ms: 1 }),
    line: 'dependencies.db.latency.dist: expected one of "constant", "uniform", "normal", "lognormal", "exponential", got "lognormel" (did you mean "lognormal"?)',
  },
  {
    what: 'a field of another distribution',
    edit: (s) =>
      ((s.dependencies as { db: Record<string, unknown> }).db.latency = { dist: 'constant', ms: 1, mss: 1 }),
    line: 'dependencies.db.latency: unknown field "mss" (did you mean "ms"?)',
  },
  {
    what: 'a misspelt field of the simulated database (kind left out)',
    edit: (s) => ((s.dependencies as { db: Record<string, unknown> }).db = { capacty: 4 }),
    line: 'dependencies.db: unknown field "capacty" (did you mean "capacity"?)',
  },
  {
    what: 'a field of the simulated database on a PostgreSQL one',
    edit: (s) =>
      ((s.dependencies as { db: Record<string, unknown> }).db = {
        kind: 'postgres',
        embedded: true,
        capacity: 4,
      }),
    line: 'dependencies.db: unknown field "capacity" (known fields: kind, url, embedded, users)',
  },
  {
    what: 'a misspelt field of a PostgreSQL database',
    edit: (s) =>
      ((s.dependencies as { db: Record<string, unknown> }).db = {
        kind: 'postgres',
        embedded: true,
        usrs: 4,
      }),
    line: 'dependencies.db: unknown field "usrs" (did you mean "users"?)',
  },
  {
    what: 'a negative contention coefficient',
    edit: (s) => ((s.dependencies as { db: Record<string, unknown> }).db.contention = { sigma: -0.1 }),
    line: 'dependencies.db.contention.sigma: expected a number of at least 0, got -0.1',
  },
  {
    what: 'a contention coefficient of the wrong type',
    edit: (s) => ((s.dependencies as { db: Record<string, unknown> }).db.contention = { kappa: '1%' }),
    line: 'dependencies.db.contention.kappa: expected a number, got "1%"',
  },
  {
    what: 'a contention coefficient above 1',
    edit: (s) => ((s.dependencies as { db: Record<string, unknown> }).db.contention = { sigma: 2 }),
    line: 'dependencies.db.contention.sigma: expected a number of at most 1, got 2',
  },
  {
    what: 'contention written as a bare number',
    edit: (s) => ((s.dependencies as { db: Record<string, unknown> }).db.contention = 0.01),
    line: 'dependencies.db.contention: expected an object (field: value, ...), got 0.01',
  },
  {
    what: 'a misspelt contention coefficient',
    edit: (s) => ((s.dependencies as { db: Record<string, unknown> }).db.contention = { sigmma: 0.01 }),
    line: 'dependencies.db.contention: unknown field "sigmma" (did you mean "sigma"?)',
  },
  {
    what: 'negative connections',
    edit: (s) => (s.load.phases[0]!.connections = -5),
    line: 'load.phases[0].connections: expected a number of at least 1, got -5',
  },
  {
    what: 'fractional connections',
    edit: (s) => (s.load.phases[0]!.connections = 1.5),
    line: 'load.phases[0].connections: expected a whole number, got 1.5',
  },
  {
    what: 'a path without a leading slash',
    edit: (s) => (s.load.requests[0]!.path = 'users/1'),
    line: 'load.requests[0].path: must start with "/", got "users/1"',
  },
  {
    what: 'a name that cannot name a folder',
    edit: (s) => (s.name = 'my run!'),
    line: 'name: must be letters, digits, ".", "_" or "-" (it names the report folder), got "my run!"',
  },
  {
    what: 'a misspelt load model',
    edit: (s) => (s.load.model = 'opne'),
    line: 'load.model: expected one of "closed", "open", got "opne" (did you mean "open"?)',
  },
  {
    what: 'an open-model rate that is not a number or a ramp',
    edit: (s) => (openModel(s).phases[0]!.rate = 'fast'),
    line: 'load.phases[0].rate: expected requests per second (a number) or a ramp such as { from: 100, to: 1000 }, got "fast"',
  },
  {
    what: 'an open-model ramp without its end',
    edit: (s) => (openModel(s).phases[1]!.rate = { from: 10 }),
    line: 'load.phases[1].rate: expected requests per second (a number) or a ramp such as { from: 100, to: 1000 }, got {"from":10}',
  },
  {
    what: 'a negative open-model rate',
    edit: (s) => (openModel(s).phases[1]!.rate = -5),
    line: 'load.phases[1].rate: expected a number greater than 0, got -5',
  },
  {
    what: 'connections in an open-model phase',
    edit: (s) => (openModel(s).phases[0]!.connections = 5),
    line: 'load.phases[0]: unknown field "connections" (known fields: name, duration, rate)',
  },
  {
    what: 'a misspelt arrival process',
    edit: (s) => (openModel(s).arrivals = 'poison'),
    line: 'load.arrivals: expected one of "uniform", "poisson", got "poison" (did you mean "poisson"?)',
  },
  {
    what: 'a zero maxInFlight',
    edit: (s) => (openModel(s).maxInFlight = 0),
    line: 'load.maxInFlight: expected a number of at least 1, got 0',
  },
  {
    what: 'no phases',
    edit: (s) => (s.load.phases = []),
    line: 'load.phases: expected a list with at least 1 item, got []',
  },
  {
    what: 'requests that are not a list',
    edit: (s) => ((s.load as Record<string, unknown>).requests = 'GET /'),
    line: 'load.requests: expected a list, got "GET /"',
  },
  {
    what: 'an error rate above 1',
    edit: (s) => ((s.slo as Record<string, unknown>).errorRate = 2),
    line: 'slo.errorRate: expected a number of at most 1, got 2',
  },
  {
    what: 'two phases with one name',
    edit: (s) => (s.load.phases[1]!.name = 'warm'),
    line: 'load.phases[1].name: expected a name not already used by load.phases[0], got "warm"',
  },
  {
    what: 'a refinement across fields',
    edit: (s) =>
      ((s.dependencies as { db: Record<string, unknown> }).db.latency = {
        dist: 'uniform',
        minMs: 5,
        maxMs: 1,
      }),
    line: 'dependencies.db.latency.maxMs: maxMs must be at least minMs, got 1',
  },
  {
    what: 'a long value',
    edit: (s) => (s.description = { text: 'a description written as an object by mistake' }),
    line: 'description: expected a string, got {"text":"a description written as an ...',
  },
];

describe('loadScenario reports a broken field with where, what was expected and what was found', () => {
  it.each(cases)('$what', async ({ edit, line }) => {
    const scenario = base() as Raw;
    edit(scenario);
    const file = await write('case.yaml', stringify(scenario));
    const error = await loadError(file);
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${escape(file)}:\\d+: `));
    expect(error.problems[0]!.replace(/^.*?:\d+: /, '')).toBe(line);
  });

  it('says what it found at the top level when the file is not an object', async () => {
    const error = await loadError(await write('scalar.yaml', 'hello\n'));
    expect(error.problems).toEqual([
      `${join(dir, 'scalar.yaml')}:1: (top level): expected an object (field: value, ...), got "hello"`,
    ]);
  });

  it('reports an empty file as a missing scenario', async () => {
    const error = await loadError(await write('empty.yaml', '# nothing yet\n'));
    expect(error.problems).toEqual([
      `${join(dir, 'empty.yaml')}: (top level): expected an object (field: value, ...), got nothing`,
    ]);
  });
});

describe('loadScenario', () => {
  it('reports every mistake of a file in one error, each with its line', async () => {
    const file = join(fixtures, 'three-mistakes.yaml');
    const error = await loadError(file);
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('3 problems');
    expect(error.problems).toEqual([
      `${file}:5: service.db.pool.max: expected a number, got "ten"`,
      `${file}:10: load.phases[1].duration: expected a duration such as "500ms", "5s" or "2m", got "5q"`,
      `${file}:12: load.requests[0]: unknown field "bogus" (known fields: weight, method, path, headers, json, expectStatus)`,
    ]);
  });

  it('reports a required field left out at the line of the object missing it', async () => {
    const file = await write(
      'no-requests.yaml',
      'name: x\nload:\n  model: closed\n  phases: [{ duration: 1s, connections: 1 }]\n',
    );
    const error = await loadError(file);
    expect(error.problems).toEqual([
      `${file}:2: load.requests: expected at least 1 request, or load.flows (user journeys), got nothing`,
    ]);
  });

  it('reports a YAML syntax error with its line and column', async () => {
    // An unclosed flow sequence: the parser notices at line 6. (Not a fixture file: prettier would reject it.)
    const file = await write(
      'syntax-error.yaml',
      'name: broken\nload:\n  model: closed\n  phases: [\n    { duration: 5s, connections: 1 }\n  requests: []\n',
    );
    const error = await loadError(file);
    expect(error.code).toBe('SCENARIO_PARSE');
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${escape(file)}:6:\\d+: \\S`));
    expect(error.problems[0]).not.toContain('\n');
  });

  it('reports every syntax error of the document at once', async () => {
    const file = await write('dupes.yaml', 'name: a\nname: b\nload: {}\nload: {}\n');
    const error = await loadError(file);
    expect(error.code).toBe('SCENARIO_PARSE');
    expect(error.problems).toEqual([
      `${file}:2:1: Map keys must be unique`,
      `${file}:4:1: Map keys must be unique`,
    ]);
  });

  it('reports a JSON syntax error with its line', async () => {
    const file = await write(
      'bad.json',
      '{\n  "name": "x",\n  "load": { "model": "closed" "phases": [] }\n}\n',
    );
    const error = await loadError(file);
    expect(error.code).toBe('SCENARIO_PARSE');
    expect(error.message).toContain('not valid JSON');
    expect(error.problems[0]).toMatch(new RegExp(`^${escape(file)}:3:\\d+: `));
  });

  it('names the path of a file that does not exist', async () => {
    const file = join(dir, 'nope.yaml');
    const error = await loadError(file);
    expect(error.code).toBe('SCENARIO_NOT_FOUND');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(file);
  });

  it('loads a valid YAML file with every default filled in and durations in milliseconds', async () => {
    const file = join(fixtures, 'valid.yaml');
    const { scenario, source } = await loadScenario(file, {});
    expect(source).toContain('name: pool-exhaustion');
    expect(scenario.seed).toBe(1);
    expect(scenario.service.db.pool).toEqual({ max: 5, queueMax: 1000, acquireTimeoutMs: 200 });
    expect(scenario.service.cache.enabled).toBe(true);
    expect(scenario.dependencies.db).toMatchObject({ capacity: 8 });
    expect(scenario.load.workers).toBe(1);
    expect(scenario.load.timeout).toBe(10_000);
    expect(scenario.load.phases.map((p) => p.duration)).toEqual([5000, 10_000, 30_000]);
    expect(scenario.load.requests[1]).toEqual({
      weight: 15,
      method: 'GET',
      path: '/users/{{uniform 1 100000}}/profile',
    });
  });

  it('loads a valid JSON file', async () => {
    const { scenario } = await loadScenario(join(fixtures, 'valid.json'), {});
    expect(scenario.name).toBe('json-minimal');
    expect(scenario.load.phases[0]).toEqual({ duration: 2000, connections: 4 });
    expect(scenario.service.db.pool.max).toBe(10);
  });

  it('reads a file of another extension as YAML', async () => {
    const text = stringify(base());
    const { scenario } = await loadScenario(await write('scenario.txt', text), {});
    expect(scenario.name).toBe('demo');
  });

  it('applies --set overrides before validating', async () => {
    const file = join(fixtures, 'valid.yaml');
    const { scenario } = await loadScenario(file, {
      sets: ['service.db.pool.max=20', 'load.phases[0].duration=2s'],
    });
    expect(scenario.service.db.pool.max).toBe(20);
    expect(scenario.load.phases[0]!.duration).toBe(2000);
  });

  it('says when a bad value came from --set rather than from a line of the file', async () => {
    const file = join(fixtures, 'valid.yaml');
    const error = await loadError(file, { sets: ['load.phases[0].connections=0'] });
    expect(error.problems).toEqual([
      `${file}: load.phases[0].connections: expected a number of at least 1, got 0 (from --set load.phases[0].connections=0)`,
    ]);
  });

  it('rejects a malformed --set as BAD_OVERRIDE', async () => {
    const error = await loadError(join(fixtures, 'valid.yaml'), { sets: ['load.phases[x]=1'] });
    expect(error.code).toBe('BAD_OVERRIDE');
  });

  it('runs extra checks on the input and reports their problems at their lines', async () => {
    const file = join(fixtures, 'valid.yaml');
    const error = await loadError(file, {
      extraChecks: (input) =>
        (input as { load: { requests: unknown[] } }).load.requests.length === 3
          ? ['load.requests[1].path: unknown value generator "uniformm"', 'the mix is odd']
          : [],
    });
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.problems).toEqual([
      `${file}:17: load.requests[1].path: unknown value generator "uniformm"`,
      `${file}: the mix is odd`,
    ]);
  });

  it('reports extra-check problems together with the schema’s, in one error', async () => {
    const file = join(fixtures, 'three-mistakes.yaml');
    const error = await loadError(file, {
      extraChecks: () => ['load.requests[0].path: unknown value generator "zipff"'],
    });
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.problems.length).toBe(4);
    expect(error.problems.some((p) => p.includes('zipff'))).toBe(true);
  });
});

describe('scenarioJsonSchema', () => {
  it('describes the file as written, with its required fields and no unknown ones', () => {
    const schema = scenarioJsonSchema() as {
      type: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'load']));
    expect(schema.required).not.toContain('seed');
    expect(schema.additionalProperties).toBe(false);
    const models = (schema.properties.load as { oneOf?: { properties: Record<string, unknown> }[] }).oneOf;
    expect(models?.map((m) => Object.keys(m.properties))).toEqual([
      expect.arrayContaining(['model', 'phases', 'requests', 'workers', 'timeout']),
      expect.arrayContaining([
        'model',
        'phases',
        'requests',
        'workers',
        'timeout',
        'arrivals',
        'maxInFlight',
      ]),
    ]);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
