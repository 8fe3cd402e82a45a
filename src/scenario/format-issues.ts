/**
 * Turns zod issues into problem lines a person can act on: where (file, line, path), what was
 * expected and what was found.
 *
 *   scenarios/x.yaml:12: load.phases[1].duration: expected a duration such as "500ms", "5s" or "2m", got "5q"
 *   scenarios/x.yaml:7: service.db.pool: unknown field "mx" (did you mean "max"?)
 *
 * zod's own English messages are rewritten from each issue's structured fields; a message the
 * schema set itself (a refinement, a `.regex(…, { message })`) is kept as written.
 */
import { z } from 'zod';
import { formatPath, valueAt } from './path.js';
import { fieldsAt } from './schema-fields.js';
import { closest } from './suggest.js';

/** Where the value at a path came from: a line of the file, and/or a note such as "from --set …". */
export interface ProblemOrigin {
  line?: number;
  note?: string;
}

/** One problem, located, before it is rendered as a line. */
export interface Problem {
  /** Path of the offending value, used to locate it. */
  path: readonly PropertyKey[];
  /** What is wrong, starting with the path: `load.phases: expected …, got []`. */
  text: string;
  origin?: ProblemOrigin | undefined;
}

/** Where the issues came from, for locating and explaining them. */
export interface IssueSource {
  /** The file as the user named it; every line starts with it. */
  file: string;
  /** The data that was validated; "got …" shows the value found at each issue's path. */
  input: unknown;
  /** The schema it was validated against, for "did you mean" on unknown fields. */
  schema?: z.core.$ZodType | undefined;
  /** Where a path's value came from (line in the file, or a --set override). */
  origin?: ((path: readonly PropertyKey[]) => ProblemOrigin | undefined) | undefined;
}

/**
 * Formats zod issues as one line per problem (`file:line: path: expected …, got …`), ordered by
 * line in the file. `input` is what was validated; give `schema` to get "did you mean" on unknown
 * fields, and `origin` to add line numbers.
 */
export function formatZodIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  file: string,
  options: Pick<IssueSource, 'schema' | 'origin'> = {},
): string[] {
  return renderProblems(file, describeZodIssues(issues, { file, input, ...options }));
}

/** One {@link Problem} per issue, and one per unknown field. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], source: IssueSource): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = source.schema ? fieldsAt(source.schema, issue.path, source.input) : [];
      return issue.keys.map((key) => {
        const suggestion = closest(key, known);
        const hint = suggestion
          ? ` (did you mean "${suggestion}"?)`
          : known.length > 0
            ? ` (known fields: ${known.join(', ')})`
            : '';
        return {
          path: issue.path,
          text: `${formatPath(issue.path)}: unknown field "${key}"${hint}`,
          origin: source.origin?.([...issue.path, key]),
        };
      });
    }
    const found = valueAt(source.input, issue.path);
    const { expected, hint } = expectation(issue, found);
    return [
      {
        path: issue.path,
        text: `${formatPath(issue.path)}: ${expected}, got ${renderValue(found)}${hint ? ` (${hint})` : ''}`,
        origin: source.origin?.(issue.path),
      },
    ];
  });
}

/** Renders problems as `file:line: text (note)`, ordered by line; those without a line come last. */
export function renderProblems(file: string, problems: readonly Problem[]): string[] {
  return problems
    .map((problem, order) => ({ problem, order, line: problem.origin?.line ?? Infinity }))
    .sort((a, b) => a.line - b.line || a.order - b.order)
    .map(({ problem: { text, origin } }) => {
      const where = origin?.line === undefined ? file : `${file}:${origin.line}`;
      return `${where}: ${text}${origin?.note ? ` (${origin.note})` : ''}`;
    });
}

/** A value as found in the input, JSON-rendered and cut to about `max` characters; "nothing" when missing. */
export function renderValue(value: unknown, max = 40): string {
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol')
    text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value); // circular (a YAML alias pointing into itself): show what we can
    }
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

interface Expectation {
  expected: string;
  hint?: string | undefined;
}

function expectation(issue: z.core.$ZodIssue, found: unknown): Expectation {
  if (issue.code === 'custom' || !isZodDefaultMessage(issue, found)) return { expected: issue.message };
  switch (issue.code) {
    case 'invalid_type':
      return { expected: `expected ${typeWord(issue.expected)}` };
    case 'too_small':
    case 'too_big':
      return { expected: `expected ${bound(issue)}` };
    case 'invalid_value':
      return oneOf(issue.values, found);
    case 'invalid_union':
      if (issue.inclusive === false)
        return { expected: 'expected a value matching exactly one allowed shape' };
      if (issue.options !== undefined && issue.options.length > 0) {
        const { expected, hint } = oneOf(issue.options, found);
        const last = issue.path[issue.path.length - 1];
        const named = issue.discriminator !== undefined && last !== issue.discriminator;
        const allowed = expected.replace(/^expected /, '');
        return { expected: named ? `expected "${issue.discriminator}" to be ${allowed}` : expected, hint };
      }
      return { expected: `expected ${branchExpectations(issue.errors, found)}` };
    case 'invalid_format':
      return { expected: `expected ${formatWord(issue)}` };
    case 'not_multiple_of':
      return { expected: `expected a multiple of ${issue.divisor}` };
    case 'invalid_key':
      return { expected: `expected valid ${issue.origin} keys` };
    case 'invalid_element':
      return { expected: `expected valid ${issue.origin} values` };
    default:
      return { expected: issue.message };
  }
}

/** True when zod's active locale would have written exactly this message, i.e. the schema set none. */
function isZodDefaultMessage(issue: z.core.$ZodIssue, found: unknown): boolean {
  const localeError = z.config().localeError;
  const produced = localeError?.({ ...issue, input: found } as unknown as z.core.$ZodRawIssue);
  const text = typeof produced === 'string' ? produced : produced?.message;
  return (text ?? 'Invalid input') === issue.message;
}

function oneOf(values: readonly unknown[], found: unknown): Expectation {
  const rendered = values.map((value) => renderValue(value, Infinity));
  if (rendered.length === 1) return { expected: `expected ${rendered[0]}` };
  const strings = values.filter((value): value is string => typeof value === 'string');
  const suggestion = typeof found === 'string' ? closest(found, strings) : undefined;
  return {
    expected: `expected one of ${rendered.join(', ')}`,
    hint: suggestion === undefined ? undefined : `did you mean "${suggestion}"?`,
  };
}

function branchExpectations(branches: readonly (readonly z.core.$ZodIssue[])[], found: unknown): string {
  const words = branches.map((issues) => {
    const own = issues.find((issue) => issue.path.length === 0);
    return own ? expectation(own, found).expected.replace(/^expected /, '') : 'a value of another shape';
  });
  return [...new Set(words)].join(' or ');
}

const typeWords: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object (field: value, ...)',
  record: 'an object (field: value, ...)',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  undefined: 'nothing',
  date: 'a date',
  nonoptional: 'a value',
};

function typeWord(expected: string): string {
  return typeWords[expected] ?? `a ${expected}`;
}

const sizes: Record<string, [what: string, one: string, many: string]> = {
  array: ['a list', 'item', 'items'],
  set: ['a set', 'item', 'items'],
  map: ['a map', 'entry', 'entries'],
  string: ['text', 'character', 'characters'],
  file: ['a file', 'byte', 'bytes'],
};

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  const size = sizes[issue.origin];
  if (size !== undefined) {
    const [what, one, many] = size;
    const unit = Number(limit) === 1 ? one : many;
    if (issue.exact) return `${what} of exactly ${limit} ${unit}`;
    const relation = small
      ? issue.inclusive
        ? 'at least'
        : 'more than'
      : issue.inclusive
        ? 'at most'
        : 'fewer than';
    return `${what} with ${relation} ${limit} ${unit}`;
  }
  const what = issue.origin === 'date' ? 'a date' : 'a number';
  if (issue.exact) return `${what} of exactly ${limit}`;
  const relation = small
    ? issue.inclusive
      ? 'of at least'
      : 'greater than'
    : issue.inclusive
      ? 'of at most'
      : 'less than';
  return `${what} ${relation} ${limit}`;
}

const formatWords: Record<string, string> = {
  url: 'a URL',
  email: 'an email address',
  uuid: 'a UUID',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  datetime: 'an ISO date and time',
  date: 'an ISO date',
  time: 'an ISO time',
};

function formatWord(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const extra = issue as unknown as { prefix?: string; suffix?: string; includes?: string };
  switch (issue.format) {
    case 'starts_with':
      return `text starting with "${extra.prefix}"`;
    case 'ends_with':
      return `text ending with "${extra.suffix}"`;
    case 'includes':
      return `text including "${extra.includes}"`;
    case 'regex':
      return `text matching ${issue.pattern}`;
    default:
      return formatWords[issue.format] ?? `a valid ${issue.format}`;
  }
}
