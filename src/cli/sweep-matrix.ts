/**
 * The matrix a sweep runs: the scenario's `matrix:` with `--matrix path=v1,v2` flags laid over it
 * (a flag replaces the file's axis of the same path, or adds one), expanded and every variant
 * planned before anything starts. Shared by `sweep` and `validate`.
 */
import {
  defaultMaxVariants,
  parseMatrixFlag,
  planSweep,
  type MatrixAxis,
  type PlannedVariant,
} from '../experiments/index.js';
import type { FlagOverride, LabPlan, Scenario } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';

/** Variants a sweep runs without `--yes`. */
export const maxVariantsWithoutYes = defaultMaxVariants;

/** The axes of the scenario's matrix and the `--matrix` flags; throws BAD_MATRIX for a malformed flag. */
export function matrixAxes(scenario: Scenario, flags: readonly string[]): MatrixAxis[] {
  const axes: MatrixAxis[] = Object.entries(scenario.matrix ?? {}).map(([path, values]) => ({
    path,
    values,
    source: 'the matrix',
  }));
  const problems: string[] = [];
  for (const text of flags) {
    const parsed = parseMatrixFlag(text);
    if ('reason' in parsed) {
      problems.push(`--matrix ${text}: ${parsed.reason}`);
      continue;
    }
    const axis = { path: parsed.path, values: parsed.values, source: '--matrix' };
    const at = axes.findIndex((a) => a.path === parsed.path);
    if (at >= 0) axes[at] = axis;
    else axes.push(axis);
  }
  if (problems.length > 0) {
    throw loadlabError(
      'BAD_MATRIX',
      `${problems.length === 1 ? 'A --matrix flag is' : 'Some --matrix flags are'} malformed`,
      {
        problems,
      },
    );
  }
  return axes;
}

/**
 * Every variant of the matrix, planned by `plan` (the base scenario with the variant's overrides).
 * `yes` lifts the cap of {@link defaultMaxVariants}. Throws BAD_MATRIX listing every mistake.
 */
export async function planVariants(
  scenario: Scenario,
  matrixFlags: readonly string[],
  yes: boolean,
  plan: (overrides: FlagOverride[]) => Promise<LabPlan>,
): Promise<PlannedVariant<LabPlan>[]> {
  return await planSweep({
    axes: matrixAxes(scenario, matrixFlags),
    mode: scenario.matrixMode ?? 'product',
    maxVariants: yes ? Infinity : defaultMaxVariants,
    plan,
  });
}

/** The matrix's axes as the variants took them (path → distinct values, in order). */
export function axesOf(variants: readonly PlannedVariant<LabPlan>[]): Record<string, unknown[]> {
  const axes: Record<string, unknown[]> = {};
  for (const v of variants) {
    for (const [path, value] of Object.entries(v.values)) {
      const list = (axes[path] ??= []);
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(value))) list.push(value);
    }
  }
  return axes;
}
