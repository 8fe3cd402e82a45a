import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { crossModuleImports, moduleCycles, moduleGraph, repoRoot } from '../helpers/module-graph.js';

describe('module boundaries', () => {
  const imports = crossModuleImports();
  const graph = moduleGraph(imports);

  it('has no cycle between modules', () => {
    expect(moduleCycles(graph)).toEqual([]);
  });

  it('finds a cycle when one is planted, so the check above can fail', () => {
    const planted = moduleGraph([...imports, { file: 'x', from: 'metrics', to: 'lab', specifier: '' }]);
    expect(moduleCycles(planted).flat()).toContain('lab');
  });

  it('keeps the lab free of judging and presenting: no edge from lab to analysis, report or cli', () => {
    for (const to of ['analysis', 'report', 'cli']) expect(graph.get('lab')?.has(to) ?? false).toBe(false);
  });

  it('lets no module but the command line reach into cli', () => {
    expect(imports.filter((i) => i.to === 'cli').map((i) => i.file)).toEqual([]);
  });

  it('enters every module through its index.ts', () => {
    const deep = imports.filter((i) => !/\/index\.js$/.test(i.specifier));
    expect(deep.map((i) => `${i.file}: ${i.specifier}`)).toEqual([]);
  });

  it('shares only the protocol module between the harness and the reference service', () => {
    const crossing = imports.filter(
      (i) =>
        (i.from === 'reference-service' && i.to !== 'protocol') ||
        (i.to === 'reference-service' && i.from !== 'cli'),
    );
    expect(crossing.map((i) => `${i.file}: ${i.specifier}`)).toEqual([]);
    expect(graph.get('protocol')?.size ?? 0).toBe(0);
  });

  it('has a lint rule that rejects a planted deep import into another module', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const code = "import { runLab } from '../lab/run-lab.js';\nexport const x = runLab;\n";
    const [report] = await eslint.lintText(code, { filePath: `${repoRoot}/src/report/planted.ts` });
    const rules = report?.messages.map((m) => m.ruleId);
    expect(rules).toContain('no-restricted-imports');
    const [clean] = await eslint.lintText(code.replace('run-lab.js', 'index.js'), {
      filePath: `${repoRoot}/src/report/planted.ts`,
    });
    expect(clean?.messages.map((m) => m.ruleId)).not.toContain('no-restricted-imports');
  });

  it('has a lint rule that keeps the reference service out of src/', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const code = "import { entries } from '../../src/shared/index.js';\nexport const x = entries;\n";
    const [report] = await eslint.lintText(code, {
      filePath: `${repoRoot}/reference-service/src/planted.ts`,
    });
    expect(report?.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});
