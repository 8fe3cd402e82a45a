import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/load/csv-table.js';
import { compileRequestMix, requestMixProblems } from '../../src/load/request-mix.js';
import { createRandom } from '../../protocol/random.js';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-csv-'));
writeFileSync(join(dir, 'users.csv'), 'id,name\n7,"Smith, Ann"\n8,Bob\n9,"say ""hi"""\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the csv value generator', () => {
  it('walks the rows in file order, wrapping round, and keeps calls on one file on the same row', () => {
    const mix = compileRequestMix(
      [{ path: '/u/{{csv users.csv id}}?n={{csv users.csv name}}' }],
      createRandom(1),
      {
        baseDir: dir,
      },
    );
    expect(Array.from({ length: 4 }, () => mix.next().path)).toEqual([
      '/u/7?n=Smith, Ann',
      '/u/8?n=Bob',
      '/u/9?n=say "hi"',
      '/u/7?n=Smith, Ann',
    ]);
  });

  it('draws rows at random, the same for the same seed', () => {
    const draw = (seed: number): string[] => {
      const mix = compileRequestMix([{ path: '/{{csv users.csv id random}}' }], createRandom(seed), {
        baseDir: dir,
      });
      return Array.from({ length: 30 }, () => mix.next().path);
    };
    expect(draw(3)).toEqual(draw(3));
    expect(new Set(draw(3))).toEqual(new Set(['/7', '/8', '/9']));
  });

  it.each([
    ['{{csv missing.csv id}}', /csv file .*missing\.csv cannot be read \(no such file\)/],
    ['{{csv users.csv email}}', /csv column "email" is not in users\.csv \(columns: id, name\)/],
    ['{{csv users.csv id sometimes}}', /csv order must be seq or random, got "sometimes"/],
    ['{{csv users.csv}}', /csv expects a file, a column and optionally seq or random/],
  ])('explains what is wrong with %s', (template, message) => {
    const problems = requestMixProblems([{ path: `/${template}` }], 'load.requests', { baseDir: dir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^load\.requests\[0\]\.path: /);
    expect(problems[0]).toMatch(message);
  });

  it('parses quoted fields, CRLF line ends and a byte-order mark', () => {
    expect(parseCsv('\ufeffa,b\r\n"x\ny",2\r\n\r\n3,\n')).toEqual([
      ['a', 'b'],
      ['x\ny', '2'],
      ['3', ''],
    ]);
  });
});
