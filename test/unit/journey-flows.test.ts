/**
 * Flows in pieces, with no network: JSON paths, captures and checks against answers, the
 * `{{vars.x}}` templates (one language with the value generators), the validation of variables
 * used before a step captures them, and a journey's steps judged one after another.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeSlos } from '../../src/analysis/index.js';
import { syntheticResult } from '../helpers/synthetic-result.js';
import { createRandom } from '../../protocol/random.js';
import { AnswerReader, compileCaptures, compileChecks } from '../../src/load/flow-check.js';
import { compileFlows, type StepModuleFunction } from '../../src/load/flow-compile.js';
import { flowProblems, importStepModule } from '../../src/load/flow-problems.js';
import { JourneyFigures } from '../../src/load/journey-figures.js';
import { JourneySteps } from '../../src/load/journey-steps.js';
import { parseJsonPath, readJsonPath, type JsonPath } from '../../src/load/json-path.js';
import { compileTemplate, isTemplateProblems } from '../../src/load/template.js';
import { WindowRecorder } from '../../src/load/window-recorder.js';
import { scenarioSchema, type FlowSpec } from '../../src/scenario/index.js';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = body === undefined ? '' : JSON.stringify(body);
  const head = `HTTP/1.1 ${status} X\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return { status, head, body: Buffer.from(text), bodyBytes: text.length, bytes: head.length + text.length };
};

describe('JSON paths', () => {
  it.each([
    ['$', { a: 1 }, { a: 1 }],
    ['$.id', { id: 42 }, 42],
    ['$.user.tags[1]', { user: { tags: ['a', 'b'] } }, 'b'],
    ['$.items[-1].id', { items: [{ id: 1 }, { id: 2 }] }, 2],
    ['$["x-id"]', { 'x-id': 'v' }, 'v'],
    ['$.missing.deeper', { a: 1 }, undefined],
    ['$[0]', { 0: 'not a list' }, undefined],
  ])('reads %s', (text, value, expected) => {
    const path = parseJsonPath(text) as JsonPath;
    expect(typeof path).toBe('object');
    expect(readJsonPath(path, value)).toEqual(expected);
  });

  it.each([
    ['id', 'starts with "$"'],
    ['$..x', 'at character 3: expected a field name after "."'],
    ['$.id[', 'at character 5: expected an index'],
    ['$["x]', 'at character 2: expected a quoted name closed by "]'],
    ['$.a b', 'at character 4: expected "." or "["'],
  ])('refuses %s, saying where', (text, problem) => {
    expect(parseJsonPath(text)).toContain(problem);
  });
});

describe('captures and checks', () => {
  it('captures a JSON value, a header and the status as text; nothing, null or "" is not found', () => {
    const problems: string[] = [];
    const captures = compileCaptures(
      { id: '$.id', etag: { header: 'ETag' }, code: { status: true }, gone: '$.none', empty: '$.blank' },
      'at',
      problems,
    );
    expect(problems).toEqual([]);
    const reader = new AnswerReader(answer(201, { id: 7, blank: '' }, { etag: '"v1"' }));
    expect(Object.fromEntries(captures.map((c) => [c.name, c.read(reader)]))).toEqual({
      id: '7',
      etag: '"v1"',
      code: '201',
      gone: undefined,
      empty: undefined,
    });
  });

  it('counts checks on status, header, JSON value (equals with {{vars.x}}, matches, exists) and body size', () => {
    const vars = { current: { id: '7' } as Record<string, string> };
    const checks = compileChecks(
      [
        { status: [200, 201] },
        { header: 'content-type', matches: 'json' },
        { json: '$.id', equals: '{{vars.id}}' },
        { json: '$.name', equals: 'ann' },
        { json: '$.nope', exists: false },
        { bodySize: { max: 5 } },
      ],
      'at',
      [],
      createRandom(1),
      { vars },
    );
    const reader = new AnswerReader(
      answer(201, { id: 7, name: 'bob' }, { 'content-type': 'application/json' }),
    );
    expect(checks.map((c) => [c.name, c.test(reader)])).toEqual([
      ['status 200|201', true],
      ['header content-type matches /json/', true],
      ['$.id equals "{{vars.id}}"', true],
      ['$.name equals "ann"', false],
      ['$.nope is absent', true],
      ['body size 0..5 bytes', false],
    ]);
  });
});

describe('{{vars.x}} is a value generator of the one template language', () => {
  it('renders beside other generators, and is refused outside flows', () => {
    const vars = { current: { id: '42' } as Record<string, string> };
    const t = compileTemplate('/users/{{vars.id}}/x/{{seq 5}}', createRandom(1), { vars });
    if (isTemplateProblems(t)) throw new Error(t.problems.join());
    expect(t.render()).toBe('/users/42/x/5');
    vars.current = { id: '9' };
    expect(t.render()).toBe('/users/9/x/6');
    const outside = compileTemplate('/users/{{vars.id}}', createRandom(1));
    expect(isTemplateProblems(outside) && outside.problems[0]).toContain('it is for the steps of load.flows');
  });

  it('names every variable read before a step (or the flow vars) sets it, and every bad path, at once', () => {
    const input = {
      load: {
        flows: [
          {
            vars: { key: 'k-{{seq}}' },
            steps: [
              { path: '/a/{{vars.key}}', capture: { id: '$.id', bad: '$.x[' } },
              { path: '/b/{{vars.id}}/{{vars.token}}', check: [{ json: '$.id', equals: '{{vars.later}}' }] },
              { path: '/c', capture: { later: '$.v' } },
            ],
          },
        ],
      },
    };
    expect(flowProblems(input)).toEqual([
      'load.flows[0].steps[0].capture.bad: cannot parse JSON path "$.x[" at character 4: expected an index such as [0] or a name such as ["x-id"]',
      'load.flows[0].steps[1].path: variable "token" is used before any step captures it (set so far: key, id, bad)',
      'load.flows[0].steps[1].check[0].equals: variable "later" is used before any step captures it (set so far: key, id, bad)',
    ]);
  });
});

describe('a journey, step by step', () => {
  const flows: FlowSpec[] = scenarioSchema.parse({
    name: 'j',
    load: {
      model: 'closed',
      phases: [{ duration: 1, connections: 1 }],
      flows: [
        {
          name: 'f',
          vars: { name: 'n-{{seq}}' },
          steps: [
            {
              name: 'create',
              method: 'POST',
              path: '/users',
              json: { name: '{{vars.name}}' },
              capture: { id: '$.id' },
            },
            {
              name: 'read',
              path: '/users/{{vars.id}}',
              check: [{ json: '$.name', equals: '{{vars.name}}' }],
              think: '25ms',
            },
            { name: 'last', path: '/done' },
          ],
        },
      ],
    },
  }).load.flows as FlowSpec[];

  function setup() {
    const vars = { current: {} as Record<string, string> };
    const compiled = compileFlows(flows, createRandom(1), { vars }, []);
    const figures = new JourneyFigures(compiled, () => new WindowRecorder(0, () => 0));
    const steps = new JourneySteps({
      flows: compiled,
      figures,
      hostHeader: 'h',
      random: createRandom(2),
      vars,
      modules: new Map(),
    });
    return { steps, figures };
  }

  it('sends each step with the variables captured before it, counts checks, and ends on a capture that finds nothing', () => {
    const { steps, figures } = setup();
    const j = steps.start(0);
    const first = steps.build(j);
    expect(first && 'text' in first && first.text).toMatch(
      /^POST \/users HTTP\/1\.1\r\n[\s\S]*\{"name":"n-1"\}$/,
    );
    expect(steps.answer(j, answer(201, { id: 5 }), 1).outcome).toBe('next');
    const second = steps.build(j);
    expect(second && 'text' in second && second.text).toMatch(/^GET \/users\/5 HTTP\/1\.1\r\n/);
    expect(steps.answer(j, answer(200, { name: 'someone else' }), 1)).toEqual({
      outcome: 'next',
      kind: undefined,
    });
    expect(steps.think(j)).toBe(25);
    steps.build(j);
    expect(steps.answer(j, answer(200, {}), 1).outcome).toBe('completed');

    const k = steps.start(0);
    steps.build(k);
    expect(steps.answer(k, answer(201, { noId: true }), 1)).toEqual({ outcome: 'failed', kind: 'capture' });
    const l = steps.start(0);
    steps.build(l);
    expect(steps.answer(l, answer(500, { id: 1 }), 1)).toEqual({ outcome: 'failed', kind: '5xx' });

    const totals = figures.totals();
    expect(totals.steps.map((s) => [s.sent, s.responses, s.errors])).toEqual([
      [3, 3, { capture: 1, '5xx': 1 }],
      [1, 1, {}],
      [1, 1, {}],
    ]);
    expect(totals.steps[1]?.checks).toEqual([[0, 1]]);
    expect(totals.flows[0]).toMatchObject({ started: 3, failed: 2 });
  });
});

describe('module steps', () => {
  it('runs the module function with the journey variables, and reports its error with the module file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadlab-module-'));
    const path = join(dir, 'sign.mjs');
    await writeFile(
      path,
      'export function sign(vars) {\n  if (vars.id === "bad") throw new Error("no key");\n  return { path: `/u/${vars.id}`, headers: { "x-sig": "s" + vars.id } };\n}\n',
    );
    try {
      const fn = await importStepModule(path, 'sign');
      expect(typeof fn).toBe('function');
      expect(await importStepModule(path, 'nope')).toBe(
        'does not export a function "nope" (its functions: sign)',
      );
      const vars = { current: {} as Record<string, string> };
      const spec = scenarioSchema.parse({
        name: 'm',
        load: {
          model: 'closed',
          phases: [{ duration: 1, connections: 1 }],
          flows: [{ vars: { id: '{{choice 7 bad}}' }, steps: [{ module: './sign.mjs', export: 'sign' }] }],
        },
      }).load.flows as FlowSpec[];
      const flows = compileFlows(spec, createRandom(1), { vars }, [], () => path);
      const step = flows[0]!.steps[0]!;
      const figures = new JourneyFigures(flows, () => new WindowRecorder(0, () => 0));
      const steps = new JourneySteps({
        flows,
        figures,
        hostHeader: 'h',
        random: createRandom(2),
        vars,
        modules: new Map([[step, fn as StepModuleFunction]]),
      });
      const texts: string[] = [];
      for (let i = 0; i < 20; i++) {
        const journey = steps.start(0);
        const built = steps.build(journey);
        if (built !== undefined && !(built instanceof Promise)) texts.push(built.text);
      }
      expect(texts.length).toBeGreaterThan(0);
      expect(texts[0]).toMatch(/^GET \/u\/7 HTTP\/1\.1\r\nhost: h\r\nx-sig: s7\r\n/);
      const totals = figures.totals();
      expect(totals.steps[0]?.sent).toBe(texts.length);
      expect(totals.steps[0]?.errors.module).toBe(20 - texts.length);
      expect(totals.moduleErrors).toEqual([
        { step: 0, at: './sign.mjs:2:32', message: 'no key', count: 20 - texts.length },
      ]);
      expect(totals.flows[0]).toMatchObject({ started: 20, failed: 20 - texts.length });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('slo: step', () => {
  it("judges a step entry on that step's own figures, with scope step:<name>", () => {
    const result = syntheticResult();
    result.scenario = scenarioSchema.parse({
      name: 's',
      load: {
        model: 'closed',
        phases: [{ duration: 1, connections: 1 }],
        flows: [{ steps: [{ name: 'read', path: '/' }] }],
      },
      slo: [{ step: 'read', p99Ms: 50, errorRate: 0.1 }],
    });
    const latency = { p50: 10, p90: 20, p99: 80, p999: 90, max: 95, mean: 15, min: 1 };
    result.steps = [
      {
        name: 'read',
        flow: 'flow-1',
        request: 'GET /',
        sent: 100,
        requests: 100,
        unanswered: 0,
        errors: { total: 5, byKind: { capture: 5 } },
        latencyMs: latency,
        checks: [],
        histogram: '',
        series: [],
      },
    ];
    const { checks } = judgeSlos(result);
    expect(checks.map((c) => [c.scope, c.name, c.actual, c.held])).toEqual([
      ['step:read', 'p99Ms', 80, false],
      ['step:read', 'errorRate', 0.05, true],
    ]);
  });
});
