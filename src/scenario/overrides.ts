/**
 * `--set path=value` overrides, applied to the parsed file before it is validated, so an
 * override is checked exactly like the file itself.
 */
import { parseDocument } from 'yaml';
import { loadlabError } from '../shared/index.js';
import { formatPath, parsePath, type PathSegment } from './path.js';

/**
 * An override a command-line flag stands for (`--workers 4` is `load.workers=4`): checked like a
 * `--set`, but problems name the flag the user typed.
 */
export interface FlagOverride {
  /** `path=value`, as for `--set`. */
  set: string;
  /** The flag as the user typed it, e.g. `--workers 4`. */
  flag: string;
}

/** A `--set` override as typed, or one a flag stands for. */
export type OverrideInput = string | FlagOverride;

/** How to name an override in a message: `--set path=value`, or the flag it came from. */
export function overrideLabel(input: OverrideInput): string {
  return typeof input === 'string' ? `--set ${input}` : input.flag;
}

/** The `path=value` text of an override. */
export function overrideText(input: OverrideInput): string {
  return typeof input === 'string' ? input : input.set;
}

/** One parsed `--set` override. */
export interface Override {
  /** The override as the user wrote it. */
  text: string;
  path: PathSegment[];
  /** The value, parsed as YAML: `20` is a number, `true` a boolean, `5s` a string, `[1, 2]` a list. */
  value: unknown;
}

/** Parses `path=value`; the value is YAML (a scalar or a flow collection), empty meaning "". */
export function parseOverride(text: string): Override | { text: string; reason: string } {
  const eq = text.indexOf('=');
  if (eq < 0) return { text, reason: 'expected path=value' };
  const parsed = parsePath(text.slice(0, eq).trim());
  if ('reason' in parsed) return { text, reason: parsed.reason };
  const valueText = text.slice(eq + 1);
  if (valueText.trim() === '') return { text, path: parsed.path, value: '' };
  const doc = parseDocument(valueText);
  const [error] = doc.errors;
  if (error !== undefined)
    return { text, reason: `the value is not valid YAML: ${error.message.split(/ at line /)[0]}` };
  return { text, path: parsed.path, value: doc.toJS() };
}

/**
 * Returns a copy of `raw` with each `path=value` override applied in order, creating missing
 * objects (or lists, before an index) on the way; `raw` itself is not changed. Throws
 * BAD_OVERRIDE listing every malformed override with the reason.
 */
export function applyOverrides(raw: unknown, sets: readonly OverrideInput[]): unknown {
  let result: unknown = structuredClone(raw);
  if (sets.length > 0 && (result === undefined || result === null)) result = {};
  const problems: string[] = [];
  for (const input of sets) {
    const override = parseOverride(overrideText(input));
    const reason = 'reason' in override ? override.reason : setAt(result, override.path, override.value);
    if (reason !== undefined) problems.push(`${overrideLabel(input)}: ${reason}`);
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? 'a --set override' : `${problems.length} --set overrides`;
    throw loadlabError('BAD_OVERRIDE', `Cannot apply ${count}`, { problems });
  }
  return result;
}

/** Sets the value at `path` inside `root`, creating what is missing; returns why not when it cannot. */
function setAt(root: unknown, path: readonly PathSegment[], value: unknown): string | undefined {
  let node = root;
  for (const [i, segment] of path.entries()) {
    const here = path.slice(0, i);
    const problem = misfit(node, segment, here);
    if (problem !== undefined) return problem;
    if (Array.isArray(node) && (segment as number) > node.length) {
      return `index ${segment} is past the end of ${formatPath(here)} (${node.length} items)`;
    }
    const slots = node as Record<PathSegment, unknown>;
    if (i === path.length - 1) {
      slots[segment] = value;
      return undefined;
    }
    // Own properties only: `constructor` must name a field, not Object's constructor.
    const own = Object.hasOwn(slots, segment) ? slots[segment] : undefined;
    if (own === undefined || own === null) slots[segment] = typeof path[i + 1] === 'number' ? [] : {};
    node = slots[segment];
  }
  return undefined;
}

/** Why `segment` cannot be used on `node`, if it cannot. */
function misfit(node: unknown, segment: PathSegment, here: readonly PathSegment[]): string | undefined {
  const where = here.length === 0 ? 'the scenario' : formatPath(here);
  if (node === null || typeof node !== 'object') {
    return `${where} is ${JSON.stringify(node)}, not an object or a list`;
  }
  if (Array.isArray(node) && typeof segment !== 'number') {
    return `${where} is a list: use an index, such as ${formatPath([...here, 0])}`;
  }
  if (!Array.isArray(node) && typeof segment === 'number') {
    return `${where} is an object, not a list: use a field name, not [${segment}]`;
  }
  return undefined;
}
