import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleDistReason } from '../helpers/stale-dist.js';

describe('staleDistReason (the global setup rebuilds dist/ when it says why)', () => {
  let root: string;
  const at = (path: string, secondsAgo: number): void => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    const t = Date.now() / 1000 - secondsAgo;
    utimesSync(full, t, t);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'loadlab-stale-dist-'));
    at('src/cli/main.ts', 100);
    at('protocol/index.ts', 100);
    at('reference-service/src/main.ts', 100);
    at('tsconfig.json', 100);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('rebuilds when dist/ is missing or empty', () => {
    expect(staleDistReason(root)).toBe('dist/ is missing');
    mkdirSync(join(root, 'dist'));
    expect(staleDistReason(root)).toBe('dist/ is missing');
  });

  it('leaves a dist/ newer than every source alone', () => {
    at('dist/src/cli/main.js', 50);
    expect(staleDistReason(root)).toBeUndefined();
  });

  it.each([
    'src/load/open-engine.ts',
    'protocol/child-protocol.ts',
    'reference-service/src/service.ts',
    'scripts/knob-table.ts',
    'tsconfig.json',
  ])('rebuilds when %s is newer than the newest file in dist/', (changed) => {
    at('dist/src/cli/main.js', 50);
    at('dist/src/load/old.js', 80);
    at(changed, 10);
    expect(staleDistReason(root)).toBe(`${join(root, changed)} is newer than dist/`);
  });

  it('ignores files that are not compiled: a newer .md under src/ or a .ts outside the build inputs', () => {
    at('dist/src/cli/main.js', 50);
    at('src/report/README.md', 10);
    at('test/unit/x.test.ts', 10);
    at('reference-service/test.ts', 10);
    expect(staleDistReason(root)).toBeUndefined();
  });
});
