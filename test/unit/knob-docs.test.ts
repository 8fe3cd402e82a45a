/**
 * The knob table in docs/reference-service.md is generated from the config schema
 * (protocol/service-config.ts) by `npm run docs:knobs`; this holds the page to the schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { knobNotes, serviceKnobsSchema } from '../../protocol/index.js';
import {
  knobRows,
  knobTableEnd,
  knobTableMarkdown,
  knobTableStart,
  regenerateKnobDoc,
  withKnobTable,
} from '../../scripts/knob-table.js';
import { repoRoot } from '../helpers/module-graph.js';

const page = join(repoRoot, 'docs', 'reference-service.md');

describe('the knob table in docs/reference-service.md', () => {
  it('is what the schema generates today (run `npm run docs:knobs` after changing a knob)', async () => {
    const current = readFileSync(page, 'utf8');
    expect(current).toBe(await regenerateKnobDoc(current, page));
  });

  it('would differ from the page if a knob changed: a default, a description or a new knob', async () => {
    const current = readFileSync(page, 'utf8');
    const rows = knobRows();
    const changedDefault = rows.map((r) => (r.path === 'db.pool.max' ? { ...r, default: '11' } : r));
    const newKnob = [
      ...rows,
      { path: 'db.pool.minIdle', default: '0', range: 'integer', description: 'x', watch: '' },
    ];
    expect(await regenerateKnobDoc(current, page, changedDefault)).not.toBe(current);
    expect(await regenerateKnobDoc(current, page, newKnob)).not.toBe(current);
  });

  it('has one row per knob, with the default the schema fills in', () => {
    const rows = knobRows();
    const defaults = serviceKnobsSchema.parse({});
    expect(rows.find((r) => r.path === 'db.pool.max')?.default).toBe(String(defaults.db.pool.max));
    expect(rows.find((r) => r.path === 'server.requestTimeoutMs')?.default).toBe(
      `${defaults.server.requestTimeoutMs} ms`,
    );
    expect(rows.find((r) => r.path === 'log.level')?.default).toBe(`\`${defaults.log.level}\``);
    const leaves = (value: unknown): number =>
      typeof value === 'object' && value !== null
        ? Object.values(value).reduce((n: number, v) => n + leaves(v), 0)
        : 1;
    // statementTimeoutMs has no default of its own (it follows db.queryTimeoutMs), so it is not in `defaults`.
    expect(rows).toHaveLength(leaves(defaults) + 1);
    expect(new Set(rows.map((r) => r.path)).size).toBe(rows.length);
  });

  it('refuses a knob added without a description or a note, naming its path', () => {
    const undocumented = z.strictObject({
      pool: z.strictObject({ max: z.number().int().min(1).default(1) }).prefault({}),
    });
    expect(() => knobRows(undocumented, knobNotes)).toThrow('pool.max: knob without documentation');
  });

  it('escapes a | in a cell and refuses a page without its markers', () => {
    const table = knobTableMarkdown([
      { path: 'a', default: '1', range: 'integer', description: 'x | y', watch: '' },
    ]);
    expect(table).toContain('x \\| y');
    expect(() => withKnobTable('# no markers', table)).toThrow('markers are missing');
    expect(withKnobTable(`a\n${knobTableStart}\nold\n${knobTableEnd}\nb`, 'new')).toBe(
      `a\n${knobTableStart}\n\nnew\n\n${knobTableEnd}\nb`,
    );
  });
});
