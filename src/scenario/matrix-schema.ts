/**
 * The scenario's `matrix:`: knob values `loadlab sweep` runs one variant per combination of.
 * Each key is a scenario path as `--set` takes it, each value the list of values it takes in turn;
 * `matrixMode: zip` pairs the i-th values instead of combining them all (docs/sweep.md).
 *
 * ```yaml
 * matrix:
 *   service.db.pool.max: [2, 4, 8, 16]
 *   load.phases[1].rate: [500, 1000]
 * matrixMode: product          # default; zip: (2, 500), (4, 1000), ... with lists of equal length
 * ```
 *
 * Here only the shape is checked: each key a well-formed path, each value a list. Whether a path
 * names a field, whether each value fits it and how many variants there are is checked when the
 * matrix is expanded (`loadlab sweep`, `loadlab validate`), every variant against the whole schema.
 */
import { z } from 'zod';
import { parsePath } from './path.js';

/** Top-level fields a matrix may not vary: the matrix itself. */
const fixedFields = new Set(['matrix', 'matrixMode']);

const matrixKey = z.string().superRefine((key, ctx) => {
  const parsed = parsePath(key);
  if ('reason' in parsed) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a scenario path such as service.db.pool.max: ${parsed.reason}`,
      input: key,
    });
  } else if (fixedFields.has(String(parsed.path[0]))) {
    ctx.addIssue({ code: 'custom', message: `a matrix cannot vary ${String(parsed.path[0])}`, input: key });
  }
});

/** `matrix:`: scenario path → the values it takes, one variant per combination. */
export const matrixSchema = z.record(
  matrixKey,
  z.array(z.unknown(), { error: 'expected a list of values, such as [2, 4, 8]' }),
);

/** `matrixMode:`: `product` (every combination, the default) or `zip` (the i-th values together). */
export const matrixModeSchema = z.enum(['product', 'zip']);

/** The matrix as written: path → values. */
export type MatrixInput = z.output<typeof matrixSchema>;
