/**
 * Request templates: text with value-generator calls, `"/users/{{zipf 1 100000 1.1}}/x"`. A
 * template is split once into literal parts and generator calls; rendering then only
 * concatenates, with no parsing or regex on the hot path.
 *
 *   "/users/{{zipf 1 100000 1.1}}/x"  ->  ["/users/", zipf(), "/x"]  ->  "/users/42/x"
 *
 * JSON bodies compile the same way: every string value may hold templates, and the body becomes
 * one list of JSON text pieces and calls.
 */
import type { Random } from '../../protocol/index.js';
import { CsvRows } from './csv-rows.js';
import { createValueGenerator, type GeneratorContext, type ValueGenerator } from './value-generators.js';

/** A compiled template. */
export interface Template {
  /** The text as written. */
  readonly source: string;
  /** True when the text holds no generator call, so every render gives the same string. */
  readonly isStatic: boolean;
  /** Draws every generator once and returns the text with their values in place. */
  render(): string;
}

/** A compiled JSON body whose string values may hold templates. */
export interface JsonTemplate {
  /** True when no string value holds a generator call. */
  readonly isStatic: boolean;
  /** Draws every generator once and returns the body as JSON text. */
  render(): string;
}

/** What is wrong with a template, one sentence per problem. */
export interface TemplateProblems {
  problems: string[];
}

type Part = string | ValueGenerator;

/** True when a compile result is a list of problems rather than a template. */
export function isTemplateProblems(
  value: Template | JsonTemplate | TemplateProblems,
): value is TemplateProblems {
  return 'problems' in value;
}

/**
 * Compiles `text`, whose `{{name args...}}` calls draw from `random`, or lists its problems
 * (unknown generator names, bad arguments, an unclosed `{{`). Without `context.rows`, each
 * render is one request for the csv calls in it; with it, the owner of the rows says when a
 * request starts.
 */
export function compileTemplate(
  text: string,
  random: Random,
  context: GeneratorContext = {},
): Template | TemplateProblems {
  const { context: shared, perRender } = ownRows(context);
  const parsed = parseTemplate(text, random, shared);
  if (!Array.isArray(parsed)) return parsed;
  const render = perRender(renderer(parsed));
  return { source: text, isStatic: parsed.every((part) => typeof part === 'string'), render };
}

/** `context` with csv rows, and a wrapper that starts a request per render when the rows are its own. */
function ownRows(context: GeneratorContext): {
  context: GeneratorContext;
  perRender: (render: () => string) => () => string;
} {
  if (context.rows !== undefined) return { context, perRender: (render) => render };
  const rows = new CsvRows();
  return {
    context: { ...context, rows },
    perRender: (render) => () => {
      rows.nextRequest();
      return render();
    },
  };
}

/**
 * Compiles a JSON body: every string value in `value` may hold templates. A string that is
 * exactly one call renders as that call's value, so `"{{uniform 1 9}}"` gives a JSON number.
 * Problems name where they are, starting from `path` (default `json`), e.g. `json.user.name: ...`.
 */
export function compileJsonTemplate(
  value: unknown,
  random: Random,
  path = 'json',
  context: GeneratorContext = {},
): JsonTemplate | TemplateProblems {
  const { context: shared, perRender } = ownRows(context);
  const pieces: Part[] = [];
  const problems: string[] = [];
  const ancestors = new Set<object>();

  const emit = (node: unknown, at: string): void => {
    if (typeof node === 'string') {
      const parsed = parseTemplate(node, random, shared);
      if (!Array.isArray(parsed)) {
        for (const problem of parsed.problems) problems.push(`${at}: ${problem}`);
      } else if (parsed.every((part) => typeof part === 'string')) {
        pieces.push(JSON.stringify(node));
      } else if (parsed.length === 1) {
        const generate = parsed[0] as ValueGenerator;
        pieces.push(() => JSON.stringify(generate()));
      } else {
        const render = renderer(parsed);
        pieces.push(() => JSON.stringify(render()));
      }
      return;
    }
    if (
      typeof node !== 'object' ||
      node === null ||
      typeof (node as { toJSON?: unknown }).toJSON === 'function'
    ) {
      pieces.push(JSON.stringify(node) ?? 'null');
      return;
    }
    if (ancestors.has(node)) {
      problems.push(`${at}: a JSON body cannot contain itself`);
      return;
    }
    ancestors.add(node);
    if (Array.isArray(node)) {
      pieces.push('[');
      node.forEach((item: unknown, i) => {
        if (i > 0) pieces.push(',');
        emit(item, `${at}[${i}]`);
      });
      pieces.push(']');
    } else {
      pieces.push('{');
      let first = true;
      for (const [key, item] of Object.entries(node)) {
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        pieces.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        emit(item, `${at}${pathKey(key)}`);
      }
      pieces.push('}');
    }
    ancestors.delete(node);
  };

  emit(value, path);
  if (problems.length > 0) return { problems };
  const parts = mergeLiterals(pieces);
  return { isStatic: parts.every((part) => typeof part === 'string'), render: perRender(renderer(parts)) };
}

/** `.name` for identifier-like keys, `["x-id"]` for the rest. */
export function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Splits `text` into literal parts and generators, or lists what is wrong with it. */
function parseTemplate(text: string, random: Random, context: GeneratorContext): Part[] | TemplateProblems {
  const parts: Part[] = [];
  const problems: string[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) {
      parts.push(text.slice(from));
      break;
    }
    parts.push(text.slice(from, open));
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      problems.push(`unclosed "{{" at character ${open + 1} (expected "{{name args...}}")`);
      break;
    }
    const call = text.slice(open + 2, close).trim();
    from = close + 2;
    if (call === '') {
      problems.push(`empty "{{}}" at character ${open + 1} (expected "{{name args...}}")`);
      continue;
    }
    const [name, ...args] = call.split(/\s+/) as [string, ...string[]];
    const generator = createValueGenerator(name, args, random, context);
    if (typeof generator === 'string') problems.push(generator);
    else parts.push(generator);
  }
  return problems.length > 0 ? { problems } : mergeLiterals(parts);
}

function mergeLiterals(parts: readonly Part[]): Part[] {
  const merged: Part[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else if (part !== '') merged.push(part);
  }
  return merged;
}

function renderer(parts: readonly Part[]): () => string {
  if (parts.length === 0) return () => '';
  if (parts.length === 1) {
    const only = parts[0] as Part;
    if (typeof only === 'string') return () => only;
    return () => String(only());
  }
  const list = parts.slice();
  return () => {
    let out = '';
    for (let i = 0; i < list.length; i++) {
      const part = list[i] as Part;
      out += typeof part === 'string' ? part : part();
    }
    return out;
  };
}
