/**
 * Turns a toxic as written by a client (Toxiproxy's JSON) into a checked {@link ToxicConfig},
 * with Toxiproxy's defaults: stream `downstream`, toxicity 1, name `<type>_<stream>`.
 */
import { apiErrors, ProxyApiError } from './api-error.js';
import { attributeLimits, limitProblem } from './attribute-limits.js';
import { httpFaultKinds } from './http/http-fault-kinds.js';
import { toxicKinds } from './toxic-registry.js';
import type { ToxicConfig, ToxicStream } from './toxic.js';

/** A toxic as a client sends it; everything but `type` is optional. */
export interface ToxicInput {
  name?: unknown;
  type?: unknown;
  stream?: unknown;
  toxicity?: unknown;
  attributes?: unknown;
  /** HTTP faults only: `{ method?, path? }`. */
  match?: unknown;
}

/** Checks `input` and fills in defaults; `base` supplies the current values on an update. */
export function parseToxic(input: unknown, base?: ToxicConfig): ToxicConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw apiErrors.badRequestBody('expected a JSON object');
  }
  const raw = input as ToxicInput;
  const type = raw.type ?? base?.type;
  if (typeof type !== 'string') throw apiErrors.missingField('type');
  const kind = toxicKinds.get(type) ?? httpFaultKinds.get(type);
  if (kind === undefined) throw apiErrors.invalidToxicType();
  const stream = raw.stream ?? base?.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw apiErrors.invalidStream();
  const toxicity = raw.toxicity ?? base?.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) {
    throw new ProxyApiError(`toxicity must be a number from 0 to 1, got ${JSON.stringify(toxicity)}`, 400);
  }
  const name = raw.name ?? base?.name ?? `${type}_${stream}`;
  if (typeof name !== 'string' || name === '') throw apiErrors.missingField('name');
  const given = raw.attributes ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw apiErrors.badRequestBody('attributes must be an object');
  }
  const attributes: Record<string, number> = { ...kind.defaults, ...base?.attributes };
  const problems: string[] = [];
  for (const key of Object.keys(kind.defaults)) {
    const value = (given as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const limit = attributeLimits[type]?.[key];
    const problem =
      limit === undefined
        ? typeof value === 'number' && Number.isFinite(value) && value >= 0
          ? undefined
          : `expected a number >= 0, got ${JSON.stringify(value)}`
        : limitProblem(value, limit);
    if (problem === undefined) attributes[key] = value as number;
    else problems.push(`attributes.${key}: ${problem}`);
  }
  const match = parseMatch(raw.match ?? base?.match, httpFaultKinds.has(type), problems);
  if (problems.length > 0) throw apiErrors.badRequestBody(problems.join('; '));
  return Object.freeze({
    name,
    type,
    stream: stream as ToxicStream,
    toxicity,
    attributes: Object.freeze(attributes),
    ...(match === undefined ? {} : { match }),
  });
}

function parseMatch(
  input: unknown,
  http: boolean,
  problems: string[],
): { method?: string; path?: string } | undefined {
  if (input === undefined || input === null) return undefined;
  if (!http) {
    problems.push('match: only HTTP faults (http_status, http_delay, http_cut) take a match');
    return undefined;
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    problems.push(`match: expected an object such as {"method":"GET","path":"/users/*"}`);
    return undefined;
  }
  const { method, path, ...rest } = input as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`match.${key}: unknown field (expected method, path)`);
  if (method !== undefined && (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method))) {
    problems.push(`match.method: expected an HTTP method such as "GET", got ${JSON.stringify(method)}`);
  }
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    problems.push(`match.path: expected a path starting with "/", got ${JSON.stringify(path)}`);
  }
  return Object.freeze({
    ...(typeof method === 'string' ? { method: method.toUpperCase() } : {}),
    ...(typeof path === 'string' ? { path } : {}),
  });
}
