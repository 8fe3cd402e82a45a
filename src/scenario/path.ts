/**
 * Paths into a scenario, written the way problems report them and `--set` takes them:
 * `load.phases[1].duration`, `load.requests[0].headers["x.trace"]`.
 */

/** One step of a path: a field name, or an index into a list. */
export type PathSegment = string | number;

const plainKey = /^[\w$-]+$/;

/** Renders a path in dotted/bracket form; the empty path is the top level of the file. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const key = String(segment);
      if (plainKey.test(key)) text += text === '' ? key : `.${key}`;
      else text += `[${JSON.stringify(key)}]`;
    }
  }
  return text === '' ? '(top level)' : text;
}

/** Parses a path in dotted/bracket form; answers why not when it is malformed. */
export function parsePath(text: string): { path: PathSegment[] } | { reason: string } {
  if (text === '') return { reason: 'the path is empty' };
  const path: PathSegment[] = [];
  let i = 0;
  let needKey = true;
  while (i < text.length) {
    if (text[i] === '[') {
      // A quoted name may itself hold "]" or ".": it ends at the first `"]`.
      const close = text[i + 1] === '"' ? text.indexOf('"]', i + 2) + 1 : text.indexOf(']', i);
      if (close === 0) return { reason: `"[" at position ${i + 1} has no closing "]"` };
      if (close < 0) return { reason: `"[" at position ${i + 1} has no closing "]"` };
      const inner = text.slice(i + 1, close);
      const segment = bracketSegment(inner);
      if (segment === undefined)
        return { reason: `bad index "[${inner}]": expected a whole number such as [0], or a quoted name` };
      path.push(segment);
      i = close + 1;
    } else if (needKey) {
      let end = i;
      while (end < text.length && !'.[]'.includes(text[end] as string)) end++;
      if (end === i) return { reason: `empty field name at position ${i + 1}` };
      path.push(text.slice(i, end));
      i = end;
    } else {
      return { reason: `unexpected "${text[i]}" at position ${i + 1}` };
    }
    needKey = false;
    if (text[i] === '.') {
      i++;
      needKey = true;
      if (i === text.length) return { reason: 'the path ends with "."' };
    }
  }
  const unsafe = path.find((segment) => segment === '__proto__');
  if (unsafe !== undefined) return { reason: `"${unsafe}" is not a field name` };
  return { path };
}

function bracketSegment(inner: string): PathSegment | undefined {
  if (/^\d+$/.test(inner)) {
    const index = Number(inner);
    return Number.isSafeInteger(index) ? index : undefined;
  }
  if (inner.length >= 2 && inner.startsWith('"') && inner.endsWith('"')) {
    try {
      const key: unknown = JSON.parse(inner);
      return typeof key === 'string' && key !== '' ? key : undefined;
    } catch {
      return undefined; // not a valid quoted name: the caller reports the bracket as bad
    }
  }
  return undefined;
}

/** The value at `path` inside `root`, or undefined when any step is missing. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    const key = typeof segment === 'symbol' ? segment : String(segment);
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** True when `prefix` is the start of (or all of) `path`. */
export function startsWithPath(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}
