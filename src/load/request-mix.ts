/**
 * The request mix: the scenario's `load.requests`, compiled once into weighted templates. Each
 * `next()` picks a request by weight (binary search over cumulative weights) and renders its
 * templates. The same seed gives the same sequence of requests.
 */
import { loadlabError } from '../shared/index.js';
import { createRandom, type Random } from '../../protocol/index.js';
import { CsvRows } from './csv-rows.js';
import type { GeneratorContext } from './value-generators.js';
import {
  compileJsonTemplate,
  compileTemplate,
  isTemplateProblems,
  pathKey,
  type JsonTemplate,
  type Template,
} from './template.js';

/** One request, ready to send. */
export interface MixRequest {
  /** Position of the request in `load.requests` it was made from (e.g. to look up `expectStatus`). */
  index: number;
  method: string;
  /** Path and query, rendered. */
  path: string;
  /** A fresh object on every call; JSON bodies carry `content-type: application/json`. */
  headers: Record<string, string>;
  /** The rendered JSON body, when the request has one. */
  body?: string;
}

/** A compiled request mix. */
export interface RequestMix {
  /** Picks the next request by weight and renders it. */
  next(): MixRequest;
  /** True when every `next()` gives the same request (one request, no value generator), so it can be serialised once. */
  readonly isStatic: boolean;
}

/**
 * The fields of a scenario request (`RequestSpec`, an entry of `load.requests`) that the mix reads;
 * a validated RequestSpec is one. Defaults: weight 1, method GET.
 */
export interface MixRequestSpec {
  weight?: number;
  method?: string;
  /** Path and query, with value generators: "/users/{{zipf 1 100000 1.1}}". */
  path: string;
  /** Header values may hold value generators too. */
  headers?: Record<string, string> | undefined;
  /** A JSON body; string values may hold value generators. */
  json?: unknown;
}

interface CompiledRequest {
  index: number;
  method: string;
  path: Template;
  headers: [string, Template][];
  body: JsonTemplate | undefined;
}

/**
 * Compiles validated `requests` into a mix drawing from `random`. Throws a SCENARIO_INVALID
 * LoadlabError listing every template problem (see {@link requestMixProblems}). Each `next()` is
 * one request for the csv row cursors (`context.rows`, default fresh ones read as worker 0 of 1).
 */
export function compileRequestMix(
  requests: readonly MixRequestSpec[],
  random: Random,
  generatorContext: GeneratorContext = {},
): RequestMix {
  const rows = generatorContext.rows ?? new CsvRows();
  const context: GeneratorContext = { ...generatorContext, rows };
  const problems = requests.length === 0 ? ['load.requests: expected at least 1 request, got none'] : [];
  const compiled: CompiledRequest[] = [];
  const cumulative: number[] = [];
  let total = 0;
  requests.forEach((spec, index) => {
    const weight = spec.weight ?? 1;
    if (!(weight > 0) || !Number.isFinite(weight)) {
      problems.push(`load.requests[${index}].weight: expected a positive number, got ${String(weight)}`);
    }
    const request = compileRequest(spec, index, random, `load.requests[${index}]`, problems, context);
    if (request === undefined) return;
    total += weight;
    compiled.push(request);
    cumulative.push(total);
  });
  if (problems.length > 0) {
    throw loadlabError('SCENARIO_INVALID', `load.requests has ${problems.length} problem(s)`, { problems });
  }

  const pick =
    compiled.length === 1
      ? () => compiled[0] as CompiledRequest
      : () => {
          const target = random.next() * total;
          // The first request whose cumulative weight exceeds the target.
          let lo = 0;
          let hi = compiled.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if ((cumulative[mid] as number) > target) hi = mid;
            else lo = mid + 1;
          }
          return compiled[lo] as CompiledRequest;
        };

  const only = compiled.length === 1 ? compiled[0] : undefined;
  const isStatic =
    only !== undefined &&
    only.path.isStatic &&
    only.headers.every(([, value]) => value.isStatic) &&
    (only.body?.isStatic ?? true);
  return {
    isStatic,
    next(): MixRequest {
      rows.nextRequest();
      const request = pick();
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) headers[name] = value.render();
      const out: MixRequest = {
        index: request.index,
        method: request.method,
        path: request.path.render(),
        headers,
      };
      if (request.body !== undefined) out.body = request.body.render();
      return out;
    },
  };
}

/**
 * Every template problem in `requests` (validated or not: fields of the wrong type are left to
 * the schema), each as `<path>.<field>: <problem>`, e.g.
 * `load.requests[2].path: unknown value generator "zipff" (known: seq, uniform, zipf, choice)`.
 */
export function requestMixProblems(
  requests: readonly unknown[],
  path = 'load.requests',
  context: GeneratorContext = {},
): string[] {
  const problems: string[] = [];
  const random = createRandom(0);
  requests.forEach((spec, index) => {
    if (typeof spec !== 'object' || spec === null) return;
    const { path: requestPath, headers, json } = spec as Record<string, unknown>;
    compileRequest(
      {
        method: 'GET',
        path: typeof requestPath === 'string' ? requestPath : '',
        headers: isStringRecord(headers) ? headers : undefined,
        json,
      },
      index,
      random,
      `${path}[${index}]`,
      problems,
      context,
    );
  });
  return problems;
}

function compileRequest(
  spec: MixRequestSpec,
  index: number,
  random: Random,
  at: string,
  problems: string[],
  context: GeneratorContext,
): CompiledRequest | undefined {
  const before = problems.length;
  const path = compileTemplate(spec.path, random, context);
  if (isTemplateProblems(path)) problems.push(...path.problems.map((p) => `${at}.path: ${p}`));

  const headers: [string, Template][] = [];
  for (const [name, text] of Object.entries(spec.headers ?? {})) {
    const value = compileTemplate(text, random, context);
    if (isTemplateProblems(value))
      problems.push(...value.problems.map((p) => `${at}.headers${pathKey(name)}: ${p}`));
    else headers.push([name, value]);
  }

  let body: JsonTemplate | undefined;
  if (spec.json !== undefined) {
    const compiled = compileJsonTemplate(spec.json, random, `${at}.json`, context);
    if (isTemplateProblems(compiled)) problems.push(...compiled.problems);
    else body = compiled;
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      headers.push(['content-type', compileTemplate('application/json', random) as Template]);
    }
  }

  if (problems.length > before || isTemplateProblems(path)) return undefined;
  return { index, method: spec.method ?? 'GET', path, headers, body };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

/**
 * Template problems of a scenario's request mix, read from the raw scenario input (any shape),
 * so they are reported together with the schema's own problems. CSV files are only looked for
 * when `context.baseDir` (the scenario file's folder) is given.
 */
export function requestTemplateProblems(input: unknown, context: GeneratorContext = {}): string[] {
  const requests = (input as { load?: { requests?: unknown } } | null)?.load?.requests;
  return Array.isArray(requests) ? requestMixProblems(requests, 'load.requests', context) : [];
}
