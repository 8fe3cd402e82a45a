/**
 * A sweep's plans, made and checked before anything starts: the matrix expanded into variants,
 * and every variant planned as the base scenario with its overrides. Every mistake is gathered
 * into one BAD_MATRIX error, each naming the matrix key, the value and the variants it spoils:
 *
 *   1. the matrix's shape: an empty list, zip lists of unequal length, more variants than the cap
 *   2. each value on its own (base + one override): a key that names no field, a value out of range
 *   3. each whole variant (base + all its overrides), when 1 and 2 found nothing: values that only
 *      clash together
 *
 * The planner itself reads nothing: `plan` (given by the caller) loads and plans one variant.
 */
import type { FlagOverride } from '../scenario/index.js';
import { isLoadlabError, loadlabError } from '../shared/index.js';
import { expandMatrix, type Variant } from './matrix.js';

/** One axis of a matrix: a scenario path, its values, and where it was written (for messages). */
export interface MatrixAxis {
  path: string;
  values: readonly unknown[];
  /** Names the axis's origin in problems: "the matrix" (the file) or "--matrix". */
  source: string;
}

/** A variant, planned. */
export interface PlannedVariant<P> extends Variant {
  /** Its folder inside the sweep's: `<k>-<field=value_...>`, file-safe, sorted by k. */
  dir: string;
  plan: P;
}

export interface SweepPlanOptions<P> {
  axes: readonly MatrixAxis[];
  mode: 'product' | 'zip';
  /** Variants allowed without an explicit yes (Infinity with it). */
  maxVariants: number;
  /** Loads and plans the base scenario with `overrides` added; throws a LoadlabError listing problems. */
  plan: (overrides: FlagOverride[]) => Promise<P>;
}

/** The variants of the matrix, each planned; throws BAD_MATRIX listing every mistake. */
export async function planSweep<P>(options: SweepPlanOptions<P>): Promise<PlannedVariant<P>[]> {
  const problems: string[] = [];
  const record = Object.fromEntries(options.axes.map((a) => [a.path, a.values]));
  let variants: Variant[] | undefined;
  try {
    variants = expandMatrix(record, options.mode, options.maxVariants);
  } catch (error) {
    if (!isLoadlabError(error, 'BAD_MATRIX')) throw error;
    problems.push(...error.problems);
  }
  for (const axis of options.axes) problems.push(...(await valueProblems(axis, variants, options.plan)));
  if (problems.length === 0 && variants !== undefined) {
    const planned: PlannedVariant<P>[] = [];
    const width = String(variants.length).length;
    for (const variant of variants) {
      const overrides = variant.sets.map((set, i) => ({
        set,
        flag: options.axes[i]?.source ?? 'the matrix',
      }));
      const outcome = await attempt(() => options.plan(overrides));
      if ('problems' in outcome) {
        const where = `variant ${variant.index} of ${variants.length} (${variant.name})`;
        problems.push(...outcome.problems.map((p) => `${where}: ${p}`));
      } else {
        planned.push({ ...variant, dir: variantDir(variant, width), plan: outcome.value });
      }
    }
    if (problems.length === 0) return planned;
  }
  const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  throw loadlabError('BAD_MATRIX', `The matrix has ${count}`, { problems });
}

/** Each value of `axis` checked on its own; a problem every value shares is the key's, said once. */
async function valueProblems<P>(
  axis: MatrixAxis,
  variants: readonly Variant[] | undefined,
  plan: SweepPlanOptions<P>['plan'],
): Promise<string[]> {
  const byLine = new Map<string, number[]>();
  for (const [i, value] of axis.values.entries()) {
    const outcome = await attempt(() =>
      plan([{ set: `${axis.path}=${JSON.stringify(value)}`, flag: axis.source }]),
    );
    if (!('problems' in outcome)) continue;
    for (const line of outcome.problems) byLine.set(line, [...(byLine.get(line) ?? []), i]);
  }
  const out: string[] = [];
  for (const [line, indices] of byLine) {
    if (indices.length === axis.values.length && indices.length > 1) {
      out.push(`${axis.path} (every variant): ${line}`);
      continue;
    }
    for (const i of indices) {
      const value = axis.values[i];
      const text = JSON.stringify(value);
      const using = variants?.filter((v) => JSON.stringify(v.values[axis.path]) === text).map((v) => v.index);
      const which =
        using === undefined || variants === undefined ? '' : ` (${variantList(using, variants.length)})`;
      out.push(`${axis.path}=${text}${which}: ${line}`);
    }
  }
  return out;
}

function variantList(indices: readonly number[], total: number): string {
  if (indices.length === total) return 'every variant';
  const shown = indices.length > 6 ? [...indices.slice(0, 5), '…'] : indices;
  return `${indices.length === 1 ? 'variant' : 'variants'} ${shown.join(', ')} of ${total}`;
}

async function attempt<P>(fn: () => Promise<P>): Promise<{ value: P } | { problems: string[] }> {
  try {
    return { value: await fn() };
  } catch (error) {
    if (!isLoadlabError(error) || error.exitCode !== 2) throw error;
    return { problems: error.problems.length > 0 ? [...error.problems] : [error.message] };
  }
}

/**
 * `03-pool.max=8`: the index (zero-padded to `width`) and the settings, file-safe, each key shortened
 * to its last two fields (the whole path when two keys would read the same).
 */
export function variantDir(variant: Variant, width: number): string {
  const keys = Object.keys(variant.values);
  const short = (k: string) => k.split('.').slice(-2).join('.');
  const clash = new Set(keys.map(short)).size < keys.length;
  const settings = Object.entries(variant.values)
    .map(([k, v]) => `${clash ? k : short(k)}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('_')
    .replace(/[^A-Za-z0-9._=-]+/g, '-')
    .slice(0, 80)
    .replace(/-+$/, '');
  return `${String(variant.index).padStart(width, '0')}-${settings}`;
}
