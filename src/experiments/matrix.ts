/**
 * A matrix of knob values turned into variants: every combination of the axes (`product`), or
 * the i-th value of every axis together (`zip`). Each variant is a list of `path=value`
 * overrides, so it is loaded and validated exactly like a scenario with `--set`.
 */
import { parse } from 'yaml';
import { loadlabError } from '../shared/index.js';

/** The axes of a matrix: a scenario path, and the values it takes in turn. */
export type MatrixAxes = Record<string, readonly unknown[]>;

/** One variant of a matrix. */
export interface Variant {
  /** 1-based position in the expansion. */
  index: number;
  /** A readable, file-safe name: `service.db.pool.max=5,service.cache.ttlMs=1000`. */
  name: string;
  /** The overrides that make this variant, as `--set` takes them. */
  sets: string[];
  /** Each axis's value in this variant. */
  values: Record<string, unknown>;
}

/** Variants past this many need an explicit yes (a typo in a matrix can ask for days of runs). */
export const defaultMaxVariants = 64;

/**
 * The variants of `axes`, in order (the last axis varies fastest in `product`). Throws
 * BAD_MATRIX listing every problem at once: an axis with no values, `zip` axes of unequal
 * length, more than `maxVariants` variants.
 */
export function expandMatrix(
  axes: MatrixAxes,
  mode: 'product' | 'zip' = 'product',
  maxVariants: number = defaultMaxVariants,
): Variant[] {
  const keys = Object.keys(axes);
  const problems: string[] = [];
  if (keys.length === 0) problems.push('matrix: expected at least one axis (path: [values]), got none');
  for (const key of keys) {
    const values = axes[key];
    if (!Array.isArray(values) || values.length === 0) {
      problems.push(`matrix.${key}: expected a non-empty list of values, got ${JSON.stringify(values)}`);
    }
  }
  const lengths = keys.map((k) => axes[k]?.length ?? 0);
  if (mode === 'zip' && new Set(lengths).size > 1) {
    problems.push(
      `matrix (zip): every axis needs the same number of values, got ${keys.map((k, i) => `${k}: ${lengths[i]}`).join(', ')}`,
    );
  }
  const count = mode === 'zip' ? (lengths[0] ?? 0) : lengths.reduce((a, b) => a * b, keys.length > 0 ? 1 : 0);
  if (problems.length === 0 && count > maxVariants) {
    problems.push(
      `matrix: ${count} variants is more than ${maxVariants}; pass --yes to run them all, or trim the matrix`,
    );
  }
  if (problems.length > 0) {
    throw loadlabError(
      'BAD_MATRIX',
      problems.length === 1 ? 'The matrix is invalid' : `The matrix has ${problems.length} problems`,
      {
        problems,
      },
    );
  }
  const combos: Record<string, unknown>[] = [];
  if (mode === 'zip') {
    for (let i = 0; i < count; i++) combos.push(Object.fromEntries(keys.map((k) => [k, axes[k]?.[i]])));
  } else {
    const walk = (depth: number, acc: Record<string, unknown>): void => {
      if (depth === keys.length) {
        combos.push({ ...acc });
        return;
      }
      const key = keys[depth] as string;
      for (const value of axes[key] ?? []) walk(depth + 1, { ...acc, [key]: value });
    };
    walk(0, {});
  }
  return combos.map((values, i) => {
    const sets = Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return { index: i + 1, name: nameOf(values), sets, values };
  });
}

/** `--matrix path=v1,v2,...`: one axis; the values are split on top-level commas and read as YAML. */
export function parseMatrixFlag(text: string): { path: string; values: unknown[] } | { reason: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) return { reason: `expected path=v1,v2,..., got "${text}"` };
  const path = text.slice(0, eq).trim();
  const parts = splitTopLevel(text.slice(eq + 1));
  if (parts.length === 0 || parts.some((p) => p.trim() === '')) {
    return {
      reason: `expected a comma-separated list of values after "${path}=", got "${text.slice(eq + 1)}"`,
    };
  }
  return { path, values: parts.map(parseScalar) };
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.length > 0) out.push(text.slice(start));
  return out;
}

/** The value as YAML reads it (as `--set` does): `8` a number, `true` a boolean, `5s` a string, `{capacity: 8}` an object. */
function parseScalar(text: string): unknown {
  const t = text.trim();
  try {
    return parse(t) as unknown;
  } catch {
    return t; // not valid YAML on its own (e.g. "a: b: c"): taken as the text, which the schema then checks
  }
}

function nameOf(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(',');
}
