/**
 * What a flow step reads from an answer: its captures (values into the journey's variables) and
 * its checks (assertions counted per check). Both are compiled once; an answer's head is read for
 * header values and its body parsed as JSON only when a capture or check asks, and at most once.
 */
import type { CaptureSource, CheckSpec } from '../scenario/index.js';
import { isJsonPath, parseJsonPath, readJsonPath, type JsonPath } from './json-path.js';
import { compileTemplate, isTemplateProblems, type Template } from './template.js';
import type { GeneratorContext } from './value-generators.js';
import type { Random } from '../../protocol/index.js';

/** An answer as a step sees it. */
export interface StepAnswer {
  status: number;
  /** The response head as latin1 text, when the step reads headers. */
  head: string | undefined;
  /** The body (chunked coding removed), when the step reads it. */
  body: Buffer | undefined;
  /** Body bytes on the wire. */
  bodyBytes: number;
}

/** A compiled capture. */
export interface Capture {
  name: string;
  read(answer: AnswerReader): string | undefined;
  /** What it reads, for the error sentence ("$.id", "header etag"). */
  source: string;
}

/** A compiled check. */
export interface Check {
  name: string;
  test(answer: AnswerReader): boolean;
}

/** Reads one answer's parts on demand. */
export class AnswerReader {
  readonly #answer: StepAnswer;
  #json: unknown;
  #parsed = false;

  constructor(answer: StepAnswer) {
    this.#answer = answer;
  }

  get status(): number {
    return this.#answer.status;
  }

  get bodyBytes(): number {
    return this.#answer.bodyBytes;
  }

  /** The body parsed as JSON; undefined when it is absent or not JSON. */
  json(): unknown {
    if (!this.#parsed) {
      this.#parsed = true;
      const body = this.#answer.body;
      try {
        this.#json = body === undefined || body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
      } catch {
        this.#json = undefined;
      }
    }
    return this.#json;
  }

  /** A header's value (`name` lower case; the first line of that name), or undefined. */
  header(name: string): string | undefined {
    const head = this.#answer.head;
    if (head === undefined) return undefined;
    let at = head.indexOf('\r\n') + 2;
    while (at > 1 && at < head.length) {
      const end = head.indexOf('\r\n', at);
      if (end <= at) return undefined;
      const colon = head.indexOf(':', at);
      if (colon > at && colon < end && head.slice(at, colon).trim().toLowerCase() === name) {
        return head.slice(colon + 1, end).trim();
      }
      at = end + 2;
    }
    return undefined;
  }
}

/** A value as a variable holds it: strings as they are, other JSON values as JSON text; nothing for null, absent or "". */
export function asVariable(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === '' ? undefined : text;
}

/** Compiles `capture:`; problems are pushed as `<at>.<name>: ...`. */
export function compileCaptures(
  spec: Record<string, CaptureSource> | undefined,
  at: string,
  problems: string[],
): Capture[] {
  const captures: Capture[] = [];
  for (const [name, source] of Object.entries(spec ?? {})) {
    if (typeof source === 'string' || 'json' in source) {
      const text = typeof source === 'string' ? source : source.json;
      const path = parseJsonPath(text);
      if (!isJsonPath(path)) {
        problems.push(`${at}.${name}: ${path}`);
        continue;
      }
      captures.push({ name, source: text, read: (a) => asVariable(readJsonPath(path, a.json())) });
    } else if ('header' in source) {
      const header = source.header.toLowerCase();
      captures.push({ name, source: `header ${header}`, read: (a) => asVariable(a.header(header)) });
    } else {
      captures.push({ name, source: 'status', read: (a) => String(a.status) });
    }
  }
  return captures;
}

/** Compiles `check:`; `context` renders `equals` templates (`{{vars.id}}`). */
export function compileChecks(
  specs: readonly CheckSpec[] | undefined,
  at: string,
  problems: string[],
  random: Random,
  context: GeneratorContext,
): Check[] {
  const checks: Check[] = [];
  (specs ?? []).forEach((spec, i) => {
    const where = `${at}[${i}]`;
    if (spec.status !== undefined) {
      const allowed = Array.isArray(spec.status) ? spec.status : [spec.status];
      checks.push({
        name: spec.name ?? `status ${allowed.join('|')}`,
        test: (a) => allowed.includes(a.status),
      });
      return;
    }
    if (spec.bodySize !== undefined) {
      const { min = 0, max = Infinity } = spec.bodySize;
      const label = `body size ${min}..${max === Infinity ? '' : max} bytes`;
      checks.push({ name: spec.name ?? label, test: (a) => a.bodyBytes >= min && a.bodyBytes <= max });
      return;
    }
    let read: ((a: AnswerReader) => unknown) | undefined;
    let subject = '';
    if (spec.json !== undefined) {
      const path = parseJsonPath(spec.json);
      if (!isJsonPath(path)) {
        problems.push(`${where}.json: ${path}`);
        return;
      }
      subject = spec.json;
      read = (a) => readJsonPath(path, a.json());
    } else if (spec.header !== undefined) {
      const header = spec.header.toLowerCase();
      subject = `header ${header}`;
      read = (a) => a.header(header);
    }
    if (read === undefined) return;
    const get = read;
    if (spec.exists !== undefined) {
      const want = spec.exists;
      checks.push({
        name: spec.name ?? `${subject} ${want ? 'exists' : 'is absent'}`,
        test: (a) => (get(a) !== undefined && get(a) !== null) === want,
      });
    } else if (spec.matches !== undefined) {
      const re = new RegExp(spec.matches);
      checks.push({
        name: spec.name ?? `${subject} matches /${spec.matches}/`,
        test: (a) => {
          const value = asVariable(get(a));
          return value !== undefined && re.test(value);
        },
      });
    } else if (spec.equals !== undefined) {
      const expected = equalsValue(spec.equals, `${where}.equals`, problems, random, context);
      if (expected === undefined) return;
      checks.push({
        name:
          spec.name ??
          `${subject} equals ${typeof spec.equals === 'string' ? JSON.stringify(spec.equals) : String(spec.equals)}`,
        test: (a) => asVariable(get(a)) === expected(),
      });
    }
  });
  return checks;
}

/** The text an `equals` compares with: a template when it is a string, else the value as JSON text. */
function equalsValue(
  value: string | number | boolean,
  at: string,
  problems: string[],
  random: Random,
  context: GeneratorContext,
): (() => string) | undefined {
  if (typeof value !== 'string') {
    const text = JSON.stringify(value);
    return () => text;
  }
  const template: Template | { problems: string[] } = compileTemplate(value, random, context);
  if (isTemplateProblems(template)) {
    problems.push(...template.problems.map((p) => `${at}: ${p}`));
    return undefined;
  }
  return () => template.render();
}

/** Whether a step's captures and checks need the answer's head, and its body. */
export function answerNeeds(
  captures: Record<string, CaptureSource> | undefined,
  checks: readonly CheckSpec[] | undefined,
): { head: boolean; body: boolean } {
  let head = false;
  let body = false;
  for (const source of Object.values(captures ?? {})) {
    if (typeof source === 'string' || 'json' in source) body = true;
    else if ('header' in source) head = true;
  }
  for (const check of checks ?? []) {
    if (check.json !== undefined) body = true;
    if (check.header !== undefined) head = true;
  }
  return { head, body };
}

export type { JsonPath };
