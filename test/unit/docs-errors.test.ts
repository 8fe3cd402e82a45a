/**
 * docs/errors.md lists every error code loadlab raises, with the exit status the code maps to,
 * and every exit status: the page and src/shared/errors.ts cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, ExitCode } from '../../src/shared/index.js';
import { repoRoot } from '../helpers/module-graph.js';

/** The first two cells of every table row whose first cell matches `first`. */
function tableRows(markdown: string, first: RegExp): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length > 3 && first.test(cells[1] as string)) rows.set(cells[1] as string, cells[2] as string);
  }
  return rows;
}

describe('docs/errors.md', () => {
  const page = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');

  it('lists every error code with its exit status, and no code that does not exist', () => {
    const documented = tableRows(page, /^[A-Z][A-Z_]+$/);
    const actual = new Map(Object.entries(errorCodes).map(([code, spec]) => [code, String(spec.exitCode)]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
  });

  it('lists every exit status', () => {
    const documented = [...tableRows(page, /^\d+$/).keys()].map(Number).sort((a, b) => a - b);
    expect(documented).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
  });
});
