/**
 * What ships is what runs: every package in `dependencies` is used by the code that ships (src/,
 * protocol/, reference-service/src/), and that code uses nothing from `devDependencies` (the
 * benchmark peers such as autocannon, the test and build tools).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/module-graph.js';

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** `pkg` of `pkg/sub` and `@scope/pkg` of `@scope/pkg/sub`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Package → the shipping files that import (or resolve) it. */
function packagesUsed(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const roots = ['src', 'protocol', join('reference-service', 'src')].map((d) => join(repoRoot, d));
  for (const root of roots) {
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      // import … from 'x', import('x'), and createRequire(…).resolve('x') (a file read from a package)
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|\.resolve\(\s*)'([^'.][^']*)'/g)) {
        const specifier = m[1] as string;
        if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        const name = packageName(specifier);
        used.set(name, [...(used.get(name) ?? []), relative(repoRoot, file)]);
      }
    }
  }
  return used;
}

describe('package dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const used = packagesUsed();

  it('lists in dependencies only packages the shipping code imports', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !used.has(name));
    expect(unused).toEqual([]);
  });

  it('lets the shipping code import only packages listed in dependencies', () => {
    const missing = [...used]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([n, f]) => `${n} (${f.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('keeps the benchmark peer autocannon out of the shipping code', () => {
    expect(used.has('autocannon')).toBe(false);
    expect(pkg.devDependencies).toHaveProperty('autocannon');
  });
});
