/**
 * The field names a zod schema accepts at a path, for "did you mean" on unknown fields. Reads
 * zod 4's public `_zod.def` of each schema, unwrapping defaults, optionals, pipes and unions.
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  discriminator?: string;
  left?: z.core.$ZodType;
  right?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
  values?: unknown[];
}

const defOf = (schema: unknown): Def | undefined =>
  (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** Field names of the object the schema expects at `path`; `input` picks a discriminated union's branch. */
export function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  const fields = new Set<string>();
  collect(schema, path, input, fields, 0);
  return [...fields];
}

function collect(
  schema: unknown,
  path: readonly PropertyKey[],
  input: unknown,
  out: Set<string>,
  depth: number,
): void {
  const def = defOf(schema);
  if (def === undefined || depth > 64) return;
  const next = (inner: unknown, rest = path, value = input) => collect(inner, rest, value, out, depth + 1);
  const child = (key: PropertyKey): unknown =>
    input !== null && typeof input === 'object' ? (input as Record<PropertyKey, unknown>)[key] : undefined;
  switch (def.type) {
    case 'object':
      if (path.length === 0) Object.keys(def.shape ?? {}).forEach((key) => out.add(key));
      else next(def.shape?.[String(path[0])], path.slice(1), child(path[0] as PropertyKey));
      return;
    case 'array':
      if (typeof path[0] === 'number') next(def.element, path.slice(1), child(path[0]));
      return;
    case 'record':
      if (path.length > 0) next(def.valueType, path.slice(1), child(path[0] as PropertyKey));
      return;
    case 'union': {
      const options = def.options ?? [];
      const matching = options.filter((option) => branchMatches(option, def.discriminator, input));
      // A tag that names no branch: every branch's fields are candidates.
      for (const option of matching.length > 0 ? matching : options) next(option);
      return;
    }
    case 'intersection':
      next(def.left);
      next(def.right);
      return;
    case 'pipe':
      next(def.in);
      return;
    case 'lazy':
      next(def.getter?.());
      return;
    default:
      // optional, nullable, default, prefault, catch, readonly, nonoptional: one inner schema
      if (def.innerType !== undefined) next(def.innerType);
  }
}

function branchMatches(option: z.core.$ZodType, discriminator: string | undefined, input: unknown): boolean {
  if (discriminator === undefined || input === null || typeof input !== 'object') return true;
  const value = (input as Record<string, unknown>)[discriminator];
  // The tag may be wrapped (`kind: z.literal('simulated').optional()`): an optional tag also takes no value.
  let tag = defOf(defOf(option)?.shape?.[discriminator]);
  let optional = false;
  while (tag !== undefined && tag.values === undefined && tag.innerType !== undefined) {
    if (tag.type === 'optional' || tag.type === 'default' || tag.type === 'prefault') optional = true;
    tag = defOf(tag.innerType);
  }
  if (tag?.values === undefined) return true;
  return tag.values.includes(value) || (optional && value === undefined);
}
