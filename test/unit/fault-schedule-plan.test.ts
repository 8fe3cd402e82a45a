import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan, describePlan, loadScenario, scenarioSchema } from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-faults-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scenario = (faults: unknown[]) =>
  scenarioSchema.parse({
    name: 'f',
    load: { model: 'closed', phases: [{ duration: '30s', connections: 1 }], requests: [{ path: '/' }] },
    faults,
  });

describe('fault windows in the plan', () => {
  it('plans a down window with no toxic, and describes it as the proxy disabled', () => {
    const plan = buildPlan(scenario([{ at: '5s', for: '3s', on: 'db', down: true }]));
    expect(plan.faults).toEqual([
      { index: 0, name: 'db-down', on: 'db', kind: 'down', startMs: 5000, endMs: 8000, writtenEndMs: 8000 },
    ]);
    expect(describePlan(plan, scenario([{ at: '5s', for: '3s', on: 'db', down: true }]))).toMatch(
      /1 +db-down +db +down +5s +8s +proxy disabled: connections refused, open ones cut/,
    );
  });

  it.each([
    [
      { at: 1, on: 'db', down: false },
      'faults[0].down: expected true (the dependency is down for the window), got false',
    ],
    [
      { at: 1, on: 'db', down: true, latency: { latency: 5 } },
      'faults[0]: expected exactly one fault (latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, http or down), found latency and down',
    ],
    [
      { at: 1, on: 'db', down: true, toxicity: 0.5 },
      'faults[0].toxicity: toxicity applies to toxics only; down takes every connection, got 0.5',
    ],
  ])('refuses a malformed down fault: %j', async (fault, line) => {
    const file = join(dir, 'down.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'f',
        load: { model: 'closed', phases: [{ duration: '30s', connections: 1 }], requests: [{ path: '/' }] },
        faults: [fault],
      }),
    );
    const error = await loadScenario(file).catch((e: unknown) => e);
    const problems = isLoadlabError(error) ? error.problems.map((p) => p.replace(/^[^ ]*: /, '')) : [];
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(line)).toBe(true);
  });

  it('places each fault on the load clock, cuts one outlasting the run, leaves out one starting after it', () => {
    const plan = buildPlan(
      scenario([
        { at: '5s', for: '10s', on: 'db', latency: { latency: 50, jitter: 10 } },
        { at: '25s', for: '10s', on: 'recommendations', http: { status: 429, retryAfter: 2, ratio: 0.3 } },
        { at: '40s', for: '1s', on: 'db', reset_peer: {} },
        { at: 0, on: 'db', bandwidth: { rate: 100 }, stream: 'upstream', toxicity: 0.5 },
      ]),
    );
    expect(plan.faults).toEqual([
      {
        index: 0,
        name: 'db-latency',
        on: 'db',
        kind: 'latency',
        startMs: 5000,
        endMs: 15_000,
        writtenEndMs: 15_000,
        toxic: {
          name: 'loadlab-fault-0',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 50, jitter: 10 },
        },
      },
      {
        index: 1,
        name: 'recommendations-http_status',
        on: 'recommendations',
        kind: 'http_status',
        startMs: 25_000,
        endMs: 30_000,
        writtenEndMs: 35_000,
        toxic: {
          name: 'loadlab-fault-1',
          type: 'http_status',
          stream: 'downstream',
          toxicity: 0.3,
          attributes: { status: 429, retry_after: 2 },
        },
      },
      {
        index: 3,
        name: 'db-bandwidth',
        on: 'db',
        kind: 'bandwidth',
        startMs: 0,
        endMs: 30_000,
        writtenEndMs: 30_000,
        toxic: {
          name: 'loadlab-fault-3',
          type: 'bandwidth',
          stream: 'upstream',
          toxicity: 0.5,
          attributes: { rate: 100 },
        },
      },
    ]);
  });

  it.each([
    [{ http: { delay: 100, match: { method: 'get', path: '/users/*' } } }, 'http_delay', { delay: 100 }],
    [{ http: { cut: true, ratio: 0.1 } }, 'http_cut', {}],
    [{ timeout: {} }, 'timeout', { timeout: 0 }],
    [{ slicer: { average_size: 64 } }, 'slicer', { average_size: 64, size_variation: 0, delay: 0 }],
    [{ limit_data: { bytes: 1000 } }, 'limit_data', { bytes: 1000 }],
    [{ slow_close: { delay: 200 } }, 'slow_close', { delay: 200 }],
  ])('turns %j into a %s toxic with Toxiproxy attributes', (fault, type, attributes) => {
    const [planned] = buildPlan(scenario([{ at: 1, for: 1, on: 'db', ...fault }])).faults ?? [];
    expect(planned?.toxic).toMatchObject({ type, attributes });
  });

  it('is printed by validate: kind, times and what the fault does', () => {
    const s = scenario([{ at: '5s', for: '10s', on: 'db', latency: { latency: 50 } }]);
    const text = describePlan(buildPlan(s), s);
    expect(text).toMatch(
      /Faults .*\n.*#\s+name\s+on\s+kind\s+start\s+end\s+what\n\s+1\s+db-latency\s+db\s+latency\s+5s\s+15s\s+latency 50, jitter 0/,
    );
    expect(describePlan(buildPlan(scenario([])), scenario([]))).toContain('Faults: none');
  });
});

describe('fault validation', () => {
  it('reports every bad fault at once, with file and line', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: bad',
        'load:',
        '  model: closed',
        '  phases: [{ duration: 5s, connections: 1 }]',
        '  requests: [{ path: / }]',
        'faults:',
        '  - { at: 1s, for: 1s, on: dbx, latency: { latency: 5 } }',
        '  - { at: 1s, for: 1s, on: db, latency: { latency: 5 }, http: { status: 503 } }',
        '  - { at: 1s, on: db, http: { status: 503, delay: 5 }, toxicity: 0.5 }',
        '  - { at: soon, on: db, bandwidth: { rate: 0 } }',
        '',
      ].join('\n'),
    );
    const error = await loadScenario(file).catch((e: unknown) => e);
    expect(isLoadlabError(error, 'SCENARIO_INVALID')).toBe(true);
    const problems = isLoadlabError(error) ? error.problems.join('\n') : '';
    expect(problems).toMatch(
      /bad\.yaml:7: faults\[0\]\.on: expected a dependency of this scenario \(db, recommendations\), got "dbx"/,
    );
    expect(problems).toMatch(/bad\.yaml:8: faults\[1\]: expected exactly one fault .*found latency and http/);
    expect(problems).toMatch(
      /bad\.yaml:9: faults\[2\]\.http: expected exactly one of status, delay or cut, found status and delay/,
    );
    expect(problems).toMatch(/bad\.yaml:9: faults\[2\]\.toxicity: toxicity applies to toxics only/);
    expect(problems).toMatch(/bad\.yaml:10: faults\[3\]\.at: expected a duration/);
    expect(problems).toMatch(/bad\.yaml:10: faults\[3\]\.bandwidth\.rate: /);
  });
});
