/**
 * Reading a scenario file: read → parse (YAML, or JSON as YAML) → apply --set → validate →
 * extra checks. Every problem of a stage is reported at once, each with file, line and path.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument, Parser, type YAMLError } from 'yaml';
import { loadlabError } from '../shared/index.js';
import { describeZodIssues, renderProblems, type Problem, type ProblemOrigin } from './format-issues.js';
import {
  applyOverrides,
  overrideLabel,
  overrideText,
  parseOverride,
  type OverrideInput,
} from './overrides.js';
import { parsePath, startsWithPath } from './path.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { sourceLines } from './source-lines.js';

/** Options of {@link loadScenario}. */
export interface LoadScenarioOptions {
  /**
   * `--set path=value` overrides, applied in order before validation; a flag that stands for one
   * (`{ set: 'load.workers=4', flag: '--workers 4' }`) is named as the flag in problems.
   */
  sets?: readonly OverrideInput[];
  /**
   * Further checks of the input (after overrides, before the schema), reported together with the
   * schema's problems; each starts with its path, as in
   * `load.requests[2].path: unknown value generator "zipff"`. Must tolerate any input shape.
   */
  extraChecks?: (input: unknown) => string[] | Promise<string[]>;
}

/** A validated scenario and the text of the file it came from. */
export interface LoadedScenario {
  scenario: Scenario;
  /** The file's text as read, for recording with a result. */
  source: string;
}

/**
 * Loads and validates a scenario file (`.yaml`, `.yml`, `.json`; anything else is read as YAML).
 * Throws SCENARIO_NOT_FOUND, SCENARIO_PARSE (every syntax error, with line and column),
 * BAD_OVERRIDE, or SCENARIO_INVALID with one problem per mistake.
 */
export async function loadScenario(file: string, options: LoadScenarioOptions = {}): Promise<LoadedScenario> {
  const source = await readScenarioFile(file);
  checkNesting(file, source);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) throw parseError(file, doc.errors);
  const raw = toPlainData(file, doc);

  const sets = options.sets ?? [];
  const input = applyOverrides(raw, sets);
  const overrides = sets.flatMap((input) => {
    const parsed = parseOverride(overrideText(input));
    return 'path' in parsed ? [{ path: parsed.path, label: overrideLabel(input) }] : [];
  });
  const lineAt = sourceLines(doc, lineCounter);
  const origin = (path: readonly PropertyKey[]): ProblemOrigin => {
    // The last override that touched the path decides its value; the file's line would mislead.
    const override = overrides.findLast((o) => startsWithPath(path, o.path));
    return override ? { note: `from ${override.label}` } : { line: lineAt(path) };
  };

  const parsed = scenarioSchema.safeParse(input);
  const problems: Problem[] = [
    ...(parsed.success
      ? []
      : describeZodIssues(parsed.error.issues, { file, input, schema: scenarioSchema, origin })),
    ...((await options.extraChecks?.(input)) ?? []).map((text) => checkProblem(text, origin)),
  ];
  if (problems.length > 0 || !parsed.success) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw loadlabError('SCENARIO_INVALID', `${file} is not a valid scenario (${count})`, {
      problems: renderProblems(file, problems),
    });
  }
  return { scenario: parsed.data, source };
}

/** How deep lists and objects may sit inside one another; a scenario needs about 6, a JSON body a few more. */
export const maxNesting = 64;

/**
 * Refuses a file nested deeper than {@link maxNesting} before it is parsed: parsing, converting
 * and validating all recurse, and a file nested some 800 deep overflows the stack. Walks the YAML
 * syntax tree (built without recursion) with a stack of its own.
 */
function checkNesting(file: string, source: string): void {
  const lineCounter = new LineCounter();
  const stack: { token: unknown; depth: number }[] = [];
  for (const doc of new Parser(lineCounter.addNewLine).parse(source)) stack.push({ token: doc, depth: 0 });
  while (stack.length > 0) {
    const { token, depth: above } = stack.pop() as { token: unknown; depth: number };
    if (typeof token !== 'object' || token === null) continue;
    const node = token as { items?: { key?: unknown; value?: unknown }[]; value?: unknown; offset?: number };
    const depth = Array.isArray(node.items) ? above + 1 : above;
    if (depth > maxNesting) {
      const { line, col } = lineCounter.linePos(node.offset ?? 0);
      const problem = `${file}:${line}:${col}: lists and objects nested more than ${maxNesting} deep; a scenario needs far fewer`;
      throw loadlabError('SCENARIO_PARSE', `${file} is nested too deeply to read`, { problems: [problem] });
    }
    if (typeof node.value === 'object') stack.push({ token: node.value, depth });
    for (const item of node.items ?? []) {
      stack.push({ token: item.key, depth });
      stack.push({ token: item.value, depth });
    }
  }
}

async function readScenarioFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : `it cannot be read (${code ?? (error as Error).message})`;
    throw loadlabError('SCENARIO_NOT_FOUND', `Scenario file not found: ${file} (${why})`, {
      problems: [`${file}: ${why}`],
      cause: error,
    });
  }
}

function parseError(file: string, errors: readonly YAMLError[]): Error {
  const kind = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
  const problems = errors.map((error) => {
    const where = error.linePos ? `${file}:${error.linePos[0].line}:${error.linePos[0].col}` : file;
    // prettyErrors appends " at line L, column C:" and a code frame; the location is already in front.
    return `${where}: ${error.message.split(/ at line \d+, column \d+/)[0]}`;
  });
  const count = errors.length === 1 ? 'a syntax error' : `${errors.length} syntax errors`;
  return loadlabError('SCENARIO_PARSE', `${file} is not valid ${kind}: ${count}`, { problems });
}

function toPlainData(file: string, doc: ReturnType<typeof parseDocument>): unknown {
  if (doc.contents === null) return undefined; // an empty file: "expected an object, got nothing"
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Too many aliases (a "billion laughs" file) is refused here rather than expanded.
    throw loadlabError('SCENARIO_PARSE', `${file} is not valid YAML: ${(error as Error).message}`, {
      problems: [`${file}: ${(error as Error).message}`],
      cause: error,
    });
  }
}

/** A problem from an extra check, located by the path it starts with when it has one. */
function checkProblem(text: string, origin: (path: readonly PropertyKey[]) => ProblemOrigin): Problem {
  const match = /^([^\s:]+):\s/.exec(text);
  const parsed = match ? parsePath(match[1] as string) : undefined;
  if (parsed === undefined || !('path' in parsed)) return { path: [], text };
  return { path: parsed.path, text, origin: origin(parsed.path) };
}
