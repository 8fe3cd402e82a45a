/**
 * Reads a result.json back, checking that it is a loadlab result of a schema this version
 * understands and that every field the report, `compare` and `gate` rely on is present and of
 * the right type. Unknown extra fields are kept, so newer minor additions still read.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { decodeHistogram } from '../metrics/index.js';
import { loadlabError } from '../shared/index.js';
import { resultSchemaId, type ResultDocument } from './types.js';

const num = z.number();
const latencySummary = z.looseObject({
  p50: num,
  p90: num,
  p99: num,
  p999: num,
  max: num,
  mean: num,
  min: num,
});

const resultShape = z.looseObject({
  schema: z.literal(resultSchemaId),
  startedAt: z.string(),
  endedAt: z.string(),
  interrupted: z.boolean(),
  abortReason: z.string().optional(),
  failure: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  scenario: z.looseObject({ name: z.string(), description: z.string().optional() }),
  target: z.looseObject({ url: z.string(), kind: z.enum(['reference', 'external']) }),
  environment: z.looseObject({
    loadlabVersion: z.string(),
    node: z.string(),
    os: z.string(),
    cpuModel: z.string(),
    cpus: num,
    hostname: z.string(),
    gitCommit: z.string().optional(),
  }),
  phases: z.array(z.looseObject({ name: z.string(), startS: num, endS: num })),
  summary: z.looseObject({
    requests: num,
    sent: num,
    dropped: num,
    inFlightAtStop: num,
    errors: z.looseObject({ total: num, byKind: z.record(z.string(), num) }),
    rps: num,
    latencyMs: latencySummary,
    bytesRead: num,
    durationS: num,
    serviceCounted: num.optional(),
  }),
  slo: z.array(
    z.looseObject({
      name: z.string(),
      limit: num,
      actual: num,
      held: z.boolean(),
      margin: num,
      reason: z.string().optional(),
    }),
  ),
  series: z.array(
    z.looseObject({
      t: num,
      requests: num,
      rps: num,
      errors: num,
      errorsByKind: z.record(z.string(), num),
      latencyMs: z.looseObject({ p50: num, p90: num, p99: num, max: num }),
    }),
  ),
  histogram: z.string(),
});

/**
 * Reads and checks the result document at `path`. Fails with a LoadlabError RESULT_INVALID whose
 * message names the file and the first problem (field, what was expected, what was found), and
 * whose `problems` list every one.
 */
export async function readResult(path: string): Promise<ResultDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(path, [`cannot be read: ${err instanceof Error ? err.message : String(err)}`], err);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw invalid(path, [`is not valid JSON: ${err instanceof Error ? err.message : String(err)}`], err);
  }
  return parseResult(data, path);
}

/** Checks an already-parsed document; `source` names it in error messages. See {@link readResult}. */
export function parseResult(data: unknown, source: string): ResultDocument {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalid(source, [`expected a JSON object, found ${describe(data)}`]);
  }
  // A document of another schema is reported as such, not as a list of missing fields.
  const schema = (data as Record<string, unknown>).schema;
  if (schema !== resultSchemaId) {
    throw invalid(source, [`schema: expected "${resultSchemaId}", found ${describe(schema)}`]);
  }
  const parsed = resultShape.safeParse(data, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  if (parsed.success) {
    try {
      decodeHistogram(parsed.data.histogram);
    } catch (err) {
      problems.push(
        `histogram: expected an HdrHistogram compressed base64 encoding, found one that fails to decode (${
          err instanceof Error ? err.message : String(err)
        })`,
      );
    }
  }
  if (problems.length > 0) throw invalid(source, problems);
  return data as ResultDocument;
}

function invalid(source: string, problems: string[], cause?: unknown) {
  const more =
    problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return loadlabError('RESULT_INVALID', `${source}: ${problems[0]}${more}`, {
    problems: problems.map((problem) => `${source}: ${problem}`),
    cause,
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = pathText(issue.path);
  const found = describe(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: expected ${article(issue.expected)}, found ${found}`;
    case 'invalid_value':
      return `${where}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, found ${found}`;
    default:
      return `${where}: ${issue.message}, found ${found}`;
  }
}

/** `["series", 3, "latencyMs"]` → `series[3].latencyMs`. */
function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  }
  return text === '' ? '(document)' : text;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A short description of a JSON value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
