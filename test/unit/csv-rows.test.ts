import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvRows } from '../../src/load/csv-rows.js';
import { compileRequestMix, requestMixProblems } from '../../src/load/request-mix.js';
import { compileTemplate, isTemplateProblems } from '../../src/load/template.js';
import { createRandom } from '../../protocol/random.js';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-csv-rows-'));
writeFileSync(join(dir, 'users.csv'), 'id,name\n1,ann\n2,bob\n3,cy\n4,dee\n5,eve\n6,fay\n7,gus\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = (paths: string[]): number[] => paths.map((p) => Number(/\d+/.exec(p)?.[0]));

describe('csv rows shared by the calls of one request', () => {
  it('gives two random calls on one file in one request the same row', () => {
    const mix = compileRequestMix(
      [{ path: '/{{csv users.csv id random}}/{{csv users.csv name random}}' }],
      createRandom(5),
      { baseDir: dir },
    );
    const names = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus'];
    const seen = Array.from({ length: 200 }, () => mix.next().path);
    for (const path of seen) {
      const [, id, name] = path.split('/');
      expect(name).toBe(names[Number(id) - 1]);
    }
    expect(new Set(seen).size).toBe(7);
  });

  it('keeps the path, a header and the JSON body of one request on one row', () => {
    const mix = compileRequestMix(
      [
        {
          path: '/u/{{csv users.csv id}}',
          headers: { 'x-name': '{{csv users.csv name}}' },
          json: { id: '{{csv users.csv id}}', name: '{{csv users.csv name}}' },
        },
      ],
      createRandom(1),
      { baseDir: dir },
    );
    const first = mix.next();
    expect([first.path, first.headers['x-name'], first.body]).toEqual([
      '/u/1',
      'ann',
      '{"id":"1","name":"ann"}',
    ]);
    const second = mix.next();
    expect([second.path, second.headers['x-name'], second.body]).toEqual([
      '/u/2',
      'bob',
      '{"id":"2","name":"bob"}',
    ]);
  });

  it('moves one file cursor once per request across the requests of a mix that read it', () => {
    const mix = compileRequestMix(
      [
        { path: '/a/{{csv users.csv id}}' },
        { path: '/b/{{csv users.csv id}}/{{csv users.csv id}}' },
        { path: '/c' },
      ],
      createRandom(3),
      { baseDir: dir },
    );
    const paths = Array.from({ length: 40 }, () => mix.next().path);
    expect(new Set(paths.map((p) => p[1]))).toEqual(new Set(['a', 'b', 'c']));
    const read = paths.filter((p) => !p.startsWith('/c'));
    for (const p of read.filter((q) => q.startsWith('/b'))) expect(p).toMatch(/^\/b\/(\d)\/\1$/);
    expect(ids(read)).toEqual(read.map((_, i) => (i % 7) + 1));
  });

  it.each([
    [0, 3, [1, 4, 7, 1, 4]],
    [1, 3, [2, 5, 2, 5]],
    [2, 3, [3, 6, 3, 6]],
  ])('strides worker %i of %i through rows it alone reads', (index, count, expected) => {
    const mix = compileRequestMix([{ path: '/{{csv users.csv id}}' }], createRandom(1), {
      baseDir: dir,
      rows: new CsvRows({ index, count }),
    });
    expect(ids(expected.map(() => mix.next().path))).toEqual(expected);
  });

  it('sends every row exactly once per pass across workers', () => {
    const count = 3;
    const sent = Array.from({ length: count }, (_, index) => {
      const mix = compileRequestMix([{ path: '/{{csv users.csv id}}' }], createRandom(index), {
        baseDir: dir,
        rows: new CsvRows({ index, count }),
      });
      return ids(Array.from({ length: index === 0 ? 3 : 2 }, () => mix.next().path));
    });
    expect(sent.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets a worker beyond the last row read all rows, starting from its own', () => {
    const rows = new CsvRows({ index: 9, count: 10 });
    const read = rows.reader('f', 7, 'seq', createRandom(1));
    const out: number[] = [];
    for (let i = 0; i < 8; i++) {
      rows.nextRequest();
      out.push(read());
    }
    expect(out).toEqual([2, 3, 4, 5, 6, 0, 1, 2]);
  });

  it('rejects a worker index outside 0..count−1', () => {
    expect(() => new CsvRows({ index: 2, count: 2 })).toThrow(RangeError);
  });

  it('moves on once per render for a template compiled on its own', () => {
    const template = compileTemplate('{{csv users.csv id}}-{{csv users.csv name}}', createRandom(1), {
      baseDir: dir,
    });
    if (isTemplateProblems(template)) throw new Error(template.problems.join('; '));
    expect([template.render(), template.render()]).toEqual(['1-ann', '2-bob']);
  });
});

describe('csv files without a scenario folder', () => {
  const fromCwd = relative(process.cwd(), join(dir, 'users.csv'));

  it('reads a relative path from the working folder', () => {
    const mix = compileRequestMix([{ path: `/{{csv ${fromCwd} name}}` }], createRandom(1));
    expect([mix.next().path, mix.next().path]).toEqual(['/ann', '/bob']);
  });

  it('reports a file missing from the working folder instead of sending empty values', () => {
    const problems = requestMixProblems([{ path: '/{{csv no-such-loadlab-file.csv id}}' }]);
    expect(problems).toEqual([
      `load.requests[0].path: csv file ${join(process.cwd(), 'no-such-loadlab-file.csv')} cannot be read (no such file)`,
    ]);
  });
});
