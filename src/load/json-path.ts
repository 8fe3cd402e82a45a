/**
 * JSON paths of flow captures and checks: a small, documented subset, parsed once at validation
 * and walked with no parsing on the hot path.
 *
 *   $            the whole body
 *   $.a.b        fields (letters, digits, "_" and "$"; not starting with a digit)
 *   $.items[0]   an element of a list (from 0; negative counts from the end: [-1] is the last)
 *   $["x-id"]    a field whose name is not an identifier (double quotes, JSON escapes)
 *
 * Filters, wildcards and recursive descent are not part of it: a capture names one value.
 */

/** One step of a path: a field name or a list index. */
export type JsonPathSegment = string | number;

/** A parsed path. */
export interface JsonPath {
  /** The path as written. */
  readonly source: string;
  readonly segments: readonly JsonPathSegment[];
}

const identifier = /^[A-Za-z_$][\w$]*/;
const integer = /^-?\d+/;

/** Parses `text`, or returns a sentence saying where and why it cannot be parsed. */
export function parseJsonPath(text: string): JsonPath | string {
  if (!text.startsWith('$')) return `a JSON path starts with "$" (e.g. "$.id"), got "${text}"`;
  const segments: JsonPathSegment[] = [];
  let at = 1;
  while (at < text.length) {
    const rest = text.slice(at);
    if (rest.startsWith('.')) {
      const name = identifier.exec(rest.slice(1));
      if (name === null) return problem(text, at + 1, 'a field name after "."');
      segments.push(name[0]);
      at += 1 + name[0].length;
    } else if (rest.startsWith('["')) {
      const end = closingQuote(rest, 2);
      if (end < 0 || rest[end + 1] !== ']') return problem(text, at, 'a quoted name closed by "]');
      try {
        segments.push(JSON.parse(rest.slice(1, end + 1)) as string);
      } catch {
        return problem(text, at, 'a quoted name with valid JSON escapes');
      }
      at += end + 2;
    } else if (rest.startsWith('[')) {
      const index = integer.exec(rest.slice(1));
      if (index === null || rest[1 + index[0].length] !== ']')
        return problem(text, at, 'an index such as [0] or a name such as ["x-id"]');
      segments.push(Number(index[0]));
      at += 2 + index[0].length;
    } else return problem(text, at, '"." or "["');
  }
  return { source: text, segments };
}

/** The value at `path` in `value`, or undefined when the path leads nowhere. */
export function readJsonPath(path: JsonPath, value: unknown): unknown {
  let node = value;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node)) return undefined;
      node = node[segment < 0 ? node.length + segment : segment];
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
      if (!Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}

/** True when `value` is a parsed path rather than a problem. */
export function isJsonPath(value: JsonPath | string): value is JsonPath {
  return typeof value !== 'string';
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function problem(text: string, index: number, expected: string): string {
  return `cannot parse JSON path "${text}" at character ${index + 1}: expected ${expected}`;
}
