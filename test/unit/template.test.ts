import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileJsonTemplate,
  compileTemplate,
  isTemplateProblems,
  type JsonTemplate,
  type Template,
  type TemplateProblems,
} from '../../src/load/template.js';
import { createRandom } from '../../protocol/random.js';

function ok<T extends Template | JsonTemplate>(result: T | TemplateProblems): T {
  if (isTemplateProblems(result)) throw new Error(result.problems.join('\n'));
  return result;
}

function renders(template: { render(): string }, times: number): string[] {
  return Array.from({ length: times }, () => template.render());
}

describe('compileTemplate', () => {
  it.each([
    { text: '/users', out: ['/users', '/users'], isStatic: true },
    { text: '', out: ['', ''], isStatic: true },
    { text: '/users/{{seq}}', out: ['/users/1', '/users/2'], isStatic: false },
    { text: '{{seq 10}}', out: ['10', '11'], isStatic: false },
    { text: '/a/{{seq}}/b/{{seq 5}}/c', out: ['/a/1/b/5/c', '/a/2/b/6/c'], isStatic: false },
    { text: '/u/{{  uniform   3 3  }}?x={{choice y}}', out: ['/u/3?x=y', '/u/3?x=y'], isStatic: false },
    { text: '/braces/}}/{x}/{', out: ['/braces/}}/{x}/{', '/braces/}}/{x}/{'], isStatic: true },
  ])('renders "$text" as $out', ({ text, out, isStatic }) => {
    const template = ok(compileTemplate(text, createRandom(1)));
    expect(renders(template, 2)).toEqual(out);
    expect(template.isStatic).toBe(isStatic);
    expect(template.source).toBe(text);
  });

  it('renders zipf keys within their range', () => {
    const template = ok(compileTemplate('/users/{{zipf 1 100000 1.1}}', createRandom(2)));
    for (const path of renders(template, 1000)) {
      expect(path).toMatch(/^\/users\/\d+$/);
      const id = Number(path.slice(7));
      expect(id >= 1 && id <= 100_000).toBe(true);
    }
  });

  it.each([
    ['/users/{{zipff 1 2 1}}', ['unknown value generator "zipff" (known: seq, uniform, zipf, choice, csv)']],
    ['/users/{{zipf 1 x}}', ['zipf expects 3 numbers a b s with a ≤ b and s > 0, got "1 x"']],
    ['/a/{{}}', ['empty "{{}}" at character 4 (expected "{{name args...}}")']],
    ['/a/{{seq', ['unclosed "{{" at character 4 (expected "{{name args...}}")']],
    [
      '/{{nope}}/{{uniform 2 1}}',
      [
        'unknown value generator "nope" (known: seq, uniform, zipf, choice, csv)',
        'uniform expects 2 integers a b with a ≤ b, got "2 1"',
      ],
    ],
  ])('"%s" has problems %j', (text, problems) => {
    expect(compileTemplate(text, createRandom(1))).toEqual({ problems });
  });

  it('renders text without "{{" unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('{{')),
        (text) => ok(compileTemplate(text, createRandom(1))).render() === text,
      ),
    );
  });
});

describe('compileJsonTemplate', () => {
  it('renders templates inside string values; a lone call to a number generator gives a JSON number', () => {
    const body = ok(
      compileJsonTemplate(
        {
          name: 'user-{{seq}}',
          id: '{{seq 100}}',
          label: '{{choice admin}}',
          code: '{{choice 7}}',
          mixed: '{{seq}}!',
          tags: ['x', '{{uniform 5 5}}', { deep: '{{seq 3}}' }],
          n: 1.5,
          yes: true,
          none: null,
          'odd key': 'plain',
        },
        createRandom(1),
      ),
    );
    expect(body.isStatic).toBe(false);
    const [first, second] = renders(body, 2).map((text) => JSON.parse(text) as unknown);
    expect(first).toEqual({
      name: 'user-1',
      id: 100,
      label: 'admin',
      code: 7,
      mixed: '1!',
      tags: ['x', 5, { deep: 3 }],
      n: 1.5,
      yes: true,
      none: null,
      'odd key': 'plain',
    });
    expect(second).toMatchObject({ name: 'user-2', id: 101, mixed: '2!', tags: ['x', 5, { deep: 4 }] });
  });

  it.each([
    { value: 'hello-{{seq}}', out: '"hello-1"' },
    { value: '{{seq}}', out: '1' },
    { value: 42, out: '42' },
    { value: [], out: '[]' },
    { value: {}, out: '{}' },
    { value: 'quote " and \\ {{choice x}}', out: '"quote \\" and \\\\ x"' },
  ])('renders $value as $out', ({ value, out }) => {
    expect(ok(compileJsonTemplate(value, createRandom(1))).render()).toBe(out);
  });

  it('renders JSON with no templates exactly as JSON.stringify does (property)', () => {
    const noTemplates = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('{{'));
    fc.assert(
      fc.property(noTemplates, (value) => {
        const body = ok(compileJsonTemplate(value, createRandom(1)));
        return body.isStatic && body.render() === JSON.stringify(value);
      }),
    );
  });

  it('names where each problem is', () => {
    const result = compileJsonTemplate(
      { user: { name: '{{zipff}}' }, items: ['ok', '{{seq x}}'], 'x-y': '{{uniform}}' },
      createRandom(1),
      'load.requests[2].json',
    );
    expect(result).toEqual({
      problems: [
        'load.requests[2].json.user.name: unknown value generator "zipff" (known: seq, uniform, zipf, choice, csv)',
        'load.requests[2].json.items[1]: seq expects no argument or 1 integer start, got "x"',
        'load.requests[2].json["x-y"]: uniform expects 2 integers a b with a ≤ b, got ""',
      ],
    });
  });

  it('refuses a body that contains itself', () => {
    const body: Record<string, unknown> = { a: 1 };
    body.self = body;
    expect(compileJsonTemplate(body, createRandom(1))).toEqual({
      problems: ['json.self: a JSON body cannot contain itself'],
    });
  });
});
