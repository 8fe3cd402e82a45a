import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-faults-pg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(db: string, faults: string[]): Promise<unknown> {
  const file = join(dir, 'pg.yaml');
  await writeFile(
    file,
    [
      'name: pg',
      'load:',
      '  model: closed',
      '  phases: [{ duration: 5s, connections: 1 }]',
      '  requests: [{ path: / }]',
      'dependencies:',
      `  db: ${db}`,
      'faults:',
      ...faults,
      '',
    ].join('\n'),
  );
  return loadScenario(file).catch((e: unknown) => e);
}

describe('HTTP faults and a PostgreSQL db', () => {
  it('rejects every http: fault on a PostgreSQL db, with file and line, and keeps its toxics', async () => {
    const error = await load('{ kind: postgres, embedded: true }', [
      '  - { at: 1s, on: db, latency: { latency: 5 } }',
      '  - { at: 1s, on: db, http: { status: 503 } }',
      '  - { at: 1s, on: recommendations, http: { delay: 5 } }',
      '  - { at: 2s, on: db, http: { cut: true, ratio: 0.5 } }',
    ]);
    expect(isLoadlabError(error, 'SCENARIO_INVALID')).toBe(true);
    const problems = isLoadlabError(error) ? error.problems : [];
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /pg\.yaml:10: faults\[1\]\.http: expected a toxic such as latency or reset_peer \(db is PostgreSQL, not HTTP\), got \{"status":503/,
    );
    expect(problems[1]).toMatch(/pg\.yaml:12: faults\[3\]\.http: expected a toxic/);
  });

  it('accepts http: faults on the simulated db (it speaks HTTP)', async () => {
    const scenario = await load('{ capacity: 4 }', ['  - { at: 1s, on: db, http: { status: 503 } }']);
    expect(isLoadlabError(scenario)).toBe(false);
  });
});
