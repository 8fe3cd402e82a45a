/**
 * The module picture drawn from imports: which of src/'s modules (and protocol/,
 * reference-service/) import which, read from the source files' import statements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** The module a repository path belongs to: `lab` for src/lab/…, `protocol`, `reference-service`; undefined elsewhere. */
export function moduleOf(path: string): string | undefined {
  const parts = relative(repoRoot, path).split(sep);
  if (parts[0] === 'src' && parts.length > 2) return parts[1];
  if (parts[0] === 'protocol') return 'protocol';
  if (parts[0] === 'reference-service') return 'reference-service';
  return undefined;
}

/** One import of one file into another module. */
export interface ModuleImport {
  file: string;
  from: string;
  to: string;
  specifier: string;
}

/** Every relative import that crosses from one module into another, with type-only imports included. */
export function crossModuleImports(): ModuleImport[] {
  const out: ModuleImport[] = [];
  const roots = ['src', 'protocol', join('reference-service', 'src')].map((d) => join(repoRoot, d));
  for (const root of roots) {
    for (const file of sourceFiles(root)) {
      const from = moduleOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const specifier = m[1] as string;
        const to = moduleOf(resolve(dirname(file), specifier));
        if (from !== undefined && to !== undefined && to !== from) {
          out.push({ file: relative(repoRoot, file), from, to, specifier });
        }
      }
    }
  }
  return out;
}

/** Module → the modules it imports. */
export function moduleGraph(imports: readonly ModuleImport[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const i of imports) {
    if (!graph.has(i.from)) graph.set(i.from, new Set());
    if (!graph.has(i.to)) graph.set(i.to, new Set());
    graph.get(i.from)?.add(i.to);
  }
  return graph;
}

/** The graph's cycles, as strongly connected components of more than one module (Tarjan). */
export function moduleCycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return cycles;
}
