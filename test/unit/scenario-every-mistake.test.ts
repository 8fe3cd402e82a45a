/**
 * Every mistake of a scenario at once: a wrong `load.model` must not hide the mistakes in fields
 * whose shape does not depend on it, nor one section's mistakes another's. Each case is a whole
 * file with two or three mistakes in different places; every one must be reported with its line,
 * its path, what was expected and what was found.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-mistakes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The problems loadScenario reports for `text`, each as `line: path: expected ..., got ...`. */
async function problemsOf(text: string): Promise<string[]> {
  const file = join(dir, 'case.yaml');
  await writeFile(file, text);
  const error = await loadScenario(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoadlabError(error)) throw new Error(`expected a LoadlabError, got ${String(error)}`);
  expect(error.code).toBe('SCENARIO_INVALID');
  expect(error.exitCode).toBe(2);
  for (const problem of error.problems) expect(problem.startsWith(`${file}:`)).toBe(true);
  return error.problems.map((p) => p.slice(file.length + 1));
}

const cases: { what: string; yaml: string; problems: string[] }[] = [
  {
    what: 'a wrong model, a negative phase duration and a weight that is not a number',
    yaml: `name: three
load:
  model: sideways
  phases:
    - { duration: -5s, rate: 10 }
  requests:
    - { weight: x, path: /users/1 }
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got "sideways"',
      '5: load.phases[0].duration: must be at least 1s, got "-5s"',
      '7: load.requests[0].weight: expected a number, got "x"',
    ],
  },
  {
    what: 'no model, and a request path without its slash',
    yaml: `name: nomodel
load:
  phases: [{ duration: 5s, connections: 2 }]
  requests: [{ path: users/1 }]
`,
    problems: [
      '2: load.model: expected one of "closed", "open", got nothing',
      '4: load.requests[0].path: must start with "/", got "users/1"',
    ],
  },
  {
    what: 'a misspelt model, a negative rate and an error rate above 1',
    yaml: `name: typo
load:
  model: opne
  phases:
    - { duration: 5s, rate: -5 }
  requests: [{ path: / }]
slo:
  errorRate: 2
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got "opne" (did you mean "open"?)',
      '5: load.phases[0].rate: expected a number greater than 0, got -5',
      '8: slo.errorRate: expected a number of at most 1, got 2',
    ],
  },
  {
    what: 'a model that is a number, zero connections and a fault starting before the load',
    yaml: `name: numbers
load:
  model: 42
  phases:
    - { duration: 5s, connections: 0 }
  requests: [{ path: / }]
faults:
  - { at: -1s, on: db, latency: { latency: 50 } }
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got 42',
      '5: load.phases[0].connections: expected a number of at least 1, got 0',
      '8: faults[0].at: must be at least 0ms, got "-1s"',
    ],
  },
  {
    what: 'a wrong model, a misspelt load field and a service knob of the wrong type',
    yaml: `name: knobs
service:
  db:
    pool: { max: ten }
load:
  model: sideways
  phases: [{ duration: 5s, connections: 2 }]
  requests: [{ path: / }]
  timout: 5s
`,
    problems: [
      '4: service.db.pool.max: expected a number, got "ten"',
      '6: load.model: expected one of "closed", "open", got "sideways"',
      '9: load: unknown field "timout" (did you mean "timeout"?)',
    ],
  },
  {
    what: 'a phase of 600 hours and a latency no timer can wait',
    yaml: `name: huge
load:
  model: closed
  phases: [{ duration: 600h, connections: 2 }]
  requests: [{ path: / }]
faults:
  - { at: 1s, on: db, latency: { latency: 3000000000 } }
`,
    problems: [
      '4: load.phases[0].duration: must be at most 24h, got "600h"',
      '7: faults[0].latency.latency: expected a number from 0 to 86400000 ms, got 3000000000',
    ],
  },
  {
    what: 'a duration of 1e308 seconds, a status no client can read and a negative p99',
    yaml: `name: absurd
load:
  model: open
  phases: [{ duration: 1e308, rate: 10 }]
  requests: [{ path: / }]
faults:
  - { at: 1s, on: recommendations, http: { status: 999 } }
slo: { p99Ms: -1 }
`,
    problems: [
      '4: load.phases[0].duration: must be at most 24h, got 1e+308',
      '7: faults[0].http.status: expected a whole number from 200 to 599, got 999',
      '8: slo.p99Ms: expected a number greater than 0, got -1',
    ],
  },
  {
    what: 'a wrong model with zero workers, a two-hour timeout and a think time that is not one',
    yaml: `name: knobs2
load:
  model: sideways
  phases: [{ duration: 5s, connections: 2 }]
  requests: [{ path: / }]
  workers: 0
  timeout: 2h
  thinkTime: soon
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got "sideways"',
      '6: load.workers: expected a number of at least 1, got 0',
      '7: load.timeout: must be at most 1h, got "2h"',
      '8: load.thinkTime: expected a duration such as "100ms", { dist: uniform, min: 50ms, max: 150ms } or { dist: exponential, mean: 100ms }, got "soon"',
    ],
  },
  {
    what: 'a wrong model, no room in flight, a fault on no dependency and a negative service timeout',
    yaml: `name: faults
service:
  server: { requestTimeoutMs: -1 }
load:
  model: sideways
  phases: [{ duration: 5s, rate: 5 }]
  requests: [{ path: / }]
  maxInFlight: 0
faults:
  - { at: 1s, on: nodb, latency: { latency: 5 } }
`,
    problems: [
      '3: service.server.requestTimeoutMs: expected a number of at least 1, got -1',
      '5: load.model: expected one of "closed", "open", got "sideways"',
      '8: load.maxInFlight: expected a number of at least 1, got 0',
      '10: faults[0].on: expected a dependency of this scenario (db, recommendations), got "nodb"',
    ],
  },
  {
    what: 'two phases with one name, an unknown method and a fault with no kind',
    yaml: `name: names
load:
  model: sideways
  phases:
    - { name: a, duration: 5s, connections: 1 }
    - { name: a, duration: 5s, connections: 1 }
  requests: [{ method: FETCH, path: / }]
faults:
  - { at: 1s, on: db }
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got "sideways"',
      '6: load.phases[1].name: expected a name not already used by load.phases[0], got "a"',
      '7: load.requests[0].method: expected one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", got "FETCH"',
      '9: faults[0]: expected exactly one fault (latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, http or down), found none, got {"at":"1s","on":"db"}',
    ],
  },
  {
    what: 'phases that add up to more than a week, and a negative seed',
    yaml: `name: week
seed: -1
load:
  model: closed
  phases:
${Array.from({ length: 8 }, () => '    - { duration: 24h, connections: 1 }').join('\n')}
  requests: [{ path: / }]
`,
    problems: [
      '2: seed: expected a number of at least 0, got -1',
      '13: load.phases[7].duration: the phases must add up to at most 168h (7 days), and reach 192h here, got "24h"',
    ],
  },
  {
    what: 'a wrong model, no phases, requests that are not a list, and an http fault with a stream',
    yaml: `name: lists
load:
  model: sideways
  phases: []
  requests: GET /
faults:
  - { at: 1s, on: recommendations, stream: upstream, http: { status: 503 } }
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got "sideways"',
      '4: load.phases: expected a list with at least 1 item, got []',
      '5: load.requests: expected a list, got "GET /"',
      '7: faults[0].stream: stream applies to toxics only; an http fault takes ratio, got "upstream"',
    ],
  },
  {
    what: 'a wrong model with an open and a closed phase each broken, and a bandwidth of zero',
    yaml: `name: mixed
load:
  model: sideways
  phases:
    - { duration: 5s, rate: fast }
    - { duration: 5s, connections: 1.5 }
  requests: [{ path: / }]
faults:
  - { at: 1s, on: db, bandwidth: { rate: 0 } }
`,
    problems: [
      '3: load.model: expected one of "closed", "open", got "sideways"',
      '5: load.phases[0].rate: expected requests per second (a number) or a ramp such as { from: 100, to: 1000 }, got "fast"',
      '6: load.phases[1].connections: expected a whole number, got 1.5',
      '9: faults[0].bandwidth.rate: expected a number greater than 0 and at most 10000000 KB/s, got 0',
    ],
  },
];

describe('loadScenario reports every mistake at once, whatever load.model says', () => {
  it.each(cases)('$what', async ({ yaml, problems }) => {
    expect(await problemsOf(yaml)).toEqual(problems);
  });
});
