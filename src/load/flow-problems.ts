/**
 * The checks of `load.flows` the schema cannot make, reported with the schema's own problems:
 * a variable read before any step (or the flow's `vars`) sets it, a capture or check JSON path
 * that does not parse, a template problem, and a module step whose file cannot be imported or
 * does not export the function it names. Each problem starts with its path, e.g.
 * `load.flows[0].steps[1].path: variable "id" is used before any step captures it (...)`.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRandom } from '../../protocol/index.js';
import { flowSchema } from '../scenario/index.js';
import { compileFlows } from './flow-compile.js';
import { requestTemplateProblems } from './request-mix.js';
import type { GeneratorContext } from './value-generators.js';

/** Where a module step's file is: relative to `baseDir` (the scenario file's folder). */
export function resolveModulePath(file: string, baseDir: string | undefined): string {
  return isAbsolute(file) ? file : resolve(baseDir ?? '', file);
}

/** Problems of `load.flows` in raw input (any shape); flows the schema refuses are left to it. */
export function flowProblems(input: unknown, context: GeneratorContext = {}): string[] {
  const flows = (input as { load?: { flows?: unknown } } | null)?.load?.flows;
  if (!Array.isArray(flows)) return [];
  const problems: string[] = [];
  flows.forEach((raw: unknown, f) => {
    const parsed = flowSchema.safeParse(raw);
    if (!parsed.success) return;
    compileFlows(
      [parsed.data],
      createRandom(0),
      { ...context, vars: { current: {}, known: new Set() } },
      problems,
      undefined,
      () => `load.flows[${f}]`,
    );
  });
  return problems;
}

/** Problems of the module steps: a file that cannot be imported, or without the named function. */
export async function flowModuleProblems(input: unknown, baseDir: string | undefined): Promise<string[]> {
  const flows = (input as { load?: { flows?: unknown } } | null)?.load?.flows;
  if (!Array.isArray(flows)) return [];
  const problems: string[] = [];
  for (const [f, raw] of flows.entries()) {
    const parsed = flowSchema.safeParse(raw);
    if (!parsed.success) continue;
    for (const [s, step] of parsed.data.steps.entries()) {
      if (step.module === undefined) continue;
      const at = `load.flows[${f}].steps[${s}].module`;
      const exportName = step.export ?? 'default';
      const loaded = await importStepModule(resolveModulePath(step.module, baseDir), exportName);
      if (typeof loaded === 'string') problems.push(`${at}: ${step.module} ${loaded}`);
    }
  }
  return problems;
}

/** Imports a module step's function, or says why it cannot be had. */
export async function importStepModule(
  path: string,
  exportName: string,
): Promise<((...args: never[]) => unknown) | string> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return `cannot be found (looked for ${path})`;
    return `cannot be imported: ${(error as Error).message.split('\n')[0]}`;
  }
  const fn = module[exportName];
  if (typeof fn === 'function') return fn as (...args: never[]) => unknown;
  const functions = Object.keys(module).filter((k) => typeof module[k] === 'function');
  return `does not export a function "${exportName}" (${functions.length === 0 ? 'it exports no function' : `its functions: ${functions.join(', ')}`})`;
}

/**
 * Every problem of a scenario's request templates and flows that the schema cannot see, from the
 * raw input (any shape): what `loadScenario`'s `extraChecks` runs.
 */
export async function loadInputProblems(input: unknown, context: GeneratorContext = {}): Promise<string[]> {
  return [
    ...requestTemplateProblems(input, context),
    ...flowProblems(input, context),
    ...(await flowModuleProblems(input, context.baseDir)),
  ];
}
