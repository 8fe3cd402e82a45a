/**
 * Flows compiled for the journey engine: every step's templates (path, headers, JSON body, check
 * values) bound to one shared variables holder, its captures and checks, its think time and, for
 * a module step, the function that builds its request. The same compile runs at validation, with
 * the holder tracking which variables are set so far, so a variable used before any step
 * captures it is named there, with its path.
 *
 *   flows ──compileFlows──▶ [{ weight, vars, steps: [{ render(), captures, checks, think }] }]
 *   journey: vars.current = {} ─▶ flow vars ─▶ step 1 render ─▶ answer ─▶ captures ─▶ step 2 ...
 */
import type { Random } from '../../protocol/index.js';
import type { FlowSpec, RequestSpec, StepSpec, StepThinkInput } from '../scenario/index.js';
import { flowName, stepName } from '../scenario/index.js';
import { CsvRows } from './csv-rows.js';
import { answerNeeds, compileCaptures, compileChecks, type Capture, type Check } from './flow-check.js';
import type { MixRequest } from './request-mix.js';
import {
  compileJsonTemplate,
  compileTemplate,
  isTemplateProblems,
  pathKey,
  type JsonTemplate,
  type Template,
} from './template.js';
import { thinkTimeSampler } from './think-time.js';
import type { GeneratorContext, JourneyVars } from './value-generators.js';

/** A module step's function: builds the request from the journey's variables. */
export type StepModuleFunction = (
  vars: Record<string, string>,
  context: { flow: string; step: string; journey: number },
) => ModuleRequest | Promise<ModuleRequest>;

/** What a module step's function returns. */
export interface ModuleRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** A JSON body (serialised for you, with content-type: application/json). */
  json?: unknown;
  /** A body as text. */
  body?: string;
}

/** One compiled step. */
export interface CompiledStep {
  /** Position over every flow's steps, from 0: the index of its figures. */
  id: number;
  name: string;
  /** Renders the request with the journey's current variables (template steps). */
  render: (() => MixRequest) | undefined;
  /** True when every render gives the same request (no value generator, no variable): it is serialised once. */
  isStatic: boolean;
  /** Module steps: the file (as written, and resolved) and the export. */
  module?: { file: string; path: string; exportName: string };
  expectStatus: ReadonlySet<number> | undefined;
  captures: Capture[];
  checks: Check[];
  /** Whether the answer's head and body must be kept for the captures and checks. */
  needs: { head: boolean; body: boolean };
  /** Draws the wait after this step's answer (ms), or undefined for none. */
  think: (() => number) | undefined;
}

/** One compiled flow. */
export interface CompiledFlow {
  index: number;
  name: string;
  weight: number;
  /** Sets the flow's `vars` on a fresh journey. */
  start: (vars: Record<string, string>) => void;
  steps: CompiledStep[];
}

/** The flows of a load: the plain `requests` as one-step flows first, then `flows`. */
export function flowsOf(requests: readonly RequestSpec[], flows: readonly FlowSpec[]): FlowSpec[] {
  const single: FlowSpec[] = requests.map((r, i) => ({
    name: `request-${i + 1}`,
    weight: r.weight,
    steps: [
      {
        name: `request-${i + 1}`,
        method: r.method,
        path: r.path,
        ...(r.headers === undefined ? {} : { headers: r.headers }),
        ...(r.json === undefined ? {} : { json: r.json }),
        ...(r.expectStatus === undefined ? {} : { expectStatus: r.expectStatus }),
      },
    ],
  }));
  return [...single, ...flows];
}

/**
 * Compiles `flows` against one variables holder (`vars`), pushing every problem with its path
 * (paths start at `at`, default `load.flows`; `offset` is added to flow indexes in paths).
 * With `vars.known`, a variable read before it is set is a problem.
 */
export function compileFlows(
  flows: readonly FlowSpec[],
  random: Random,
  context: GeneratorContext & { vars: JourneyVars },
  problems: string[],
  resolveModule: (file: string) => string = (file) => file,
  pathOf: (flow: number) => string = (flow) => `load.flows[${flow}]`,
): CompiledFlow[] {
  const rows = context.rows ?? new CsvRows();
  let id = 0;
  const validating = context.vars.known !== undefined;
  return flows.map((flow, f) => {
    const at = pathOf(f);
    const label = flowName(flow, f);
    const known = new Set<string>();
    const varsContext: GeneratorContext = validating
      ? { ...context, rows, vars: { ...context.vars, known: new Set() } }
      : { ...context, rows };
    const setters: [string, Template][] = [];
    for (const [name, text] of Object.entries(flow.vars ?? {})) {
      const template = compileTemplate(text, random, varsContext);
      if (isTemplateProblems(template))
        problems.push(...template.problems.map((p) => `${at}.vars${pathKey(name)}: ${p}`));
      else setters.push([name, template]);
      known.add(name);
    }
    const steps = flow.steps.map((step, s) => {
      const stepAt = `${at}.steps[${s}]`;
      const before: GeneratorContext = validating
        ? { ...context, rows, vars: { ...context.vars, known: new Set(known) } }
        : { ...context, rows };
      const render =
        step.path === undefined
          ? undefined
          : compileStepRequest(step, stepAt, problems, random, before, rows);
      const captures = compileCaptures(step.capture, `${stepAt}.capture`, problems);
      for (const name of Object.keys(step.capture ?? {})) known.add(name);
      const after: GeneratorContext = validating
        ? { ...context, rows, vars: { ...context.vars, known: new Set(known) } }
        : { ...context, rows };
      const checks = compileChecks(step.check, `${stepAt}.check`, problems, random, after);
      const compiled: CompiledStep = {
        id: id++,
        name: stepName(label, step, s),
        render,
        isStatic: render?.isStatic === true,
        expectStatus: step.expectStatus === undefined ? undefined : new Set(step.expectStatus),
        captures,
        checks,
        needs: answerNeeds(step.capture, step.check),
        think: thinkTimeSampler(thinkSpec(step.think), random),
      };
      if (step.module !== undefined)
        compiled.module = {
          file: step.module,
          path: resolveModule(step.module),
          exportName: step.export ?? 'default',
        };
      return compiled;
    });
    return {
      index: f,
      name: label,
      weight: flow.weight,
      start: (vars) => {
        for (const [name, template] of setters) vars[name] = template.render();
      },
      steps,
    };
  });
}

function compileStepRequest(
  step: StepSpec,
  at: string,
  problems: string[],
  random: Random,
  context: GeneratorContext,
  rows: CsvRows,
): ((() => MixRequest) & { isStatic: boolean }) | undefined {
  const before = problems.length;
  const path = compileTemplate(step.path ?? '/', random, context);
  if (isTemplateProblems(path)) problems.push(...path.problems.map((p) => `${at}.path: ${p}`));
  const headers: [string, Template][] = [];
  for (const [name, text] of Object.entries(step.headers ?? {})) {
    const value = compileTemplate(text, random, context);
    if (isTemplateProblems(value))
      problems.push(...value.problems.map((p) => `${at}.headers${pathKey(name)}: ${p}`));
    else headers.push([name, value]);
  }
  let body: JsonTemplate | undefined;
  if (step.json !== undefined) {
    const compiled = compileJsonTemplate(step.json, random, `${at}.json`, context);
    if (isTemplateProblems(compiled)) problems.push(...compiled.problems);
    else body = compiled;
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type'))
      headers.push(['content-type', compileTemplate('application/json', random) as Template]);
  }
  if (problems.length > before || isTemplateProblems(path)) return undefined;
  const method = step.method;
  const render = (): MixRequest => {
    rows.nextRequest();
    const out: MixRequest = { index: 0, method, path: path.render(), headers: {} };
    for (const [name, value] of headers) out.headers[name] = value.render();
    if (body !== undefined) out.body = body.render();
    return out;
  };
  const isStatic = path.isStatic && headers.every(([, v]) => v.isStatic) && (body?.isStatic ?? true);
  return Object.assign(render, { isStatic });
}

/** A module's answer as a request, or a sentence saying what is wrong with it. */
export function moduleRequest(value: unknown): MixRequest | string {
  if (typeof value !== 'object' || value === null)
    return `expected an object { method, path, headers?, json?, body? }, got ${typeof value}`;
  const r = value as Partial<ModuleRequest>;
  if (typeof r.path !== 'string' || !r.path.startsWith('/'))
    return `expected a path starting with "/", got ${JSON.stringify(r.path)}`;
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(r.headers ?? {})) headers[name] = String(v);
  const out: MixRequest = { index: 0, method: (r.method ?? 'GET').toUpperCase(), path: r.path, headers };
  if (r.json !== undefined) {
    out.body = JSON.stringify(r.json);
    if (!Object.keys(headers).some((n) => n.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  } else if (typeof r.body === 'string') out.body = r.body;
  return out;
}

function thinkSpec(input: StepThinkInput | undefined): Parameters<typeof thinkTimeSampler>[0] {
  if (input === undefined) return undefined;
  if (typeof input === 'number') return { dist: 'constant', ms: input };
  if (input.dist === 'uniform') return { dist: 'uniform', minMs: input.min, maxMs: input.max };
  return { dist: 'exponential', meanMs: input.mean };
}
