/**
 * The scenario's `load.flows`: user journeys. Each flow is a weighted list of steps run in order
 * by one simulated user; a step is a request like those of `load.requests`, plus `capture`
 * (values from the answer into the journey's variables, used later as `{{vars.name}}`), `check`
 * (assertions counted per check) and `think` (a wait before the next step). A step may instead
 * name an ES module function that builds its request (`module` + `export`).
 *
 * ```yaml
 * flows:
 *   - name: signup
 *     vars: { key: 'k-{{seq}}' }             # rendered when a journey starts
 *     steps:
 *       - name: create
 *         method: POST
 *         path: /users
 *         headers: { idempotency-key: '{{vars.key}}' }
 *         json: { name: 'user-{{seq}}' }
 *         capture: { id: $.id }               # a JSON path; or { header: etag }, { status: true }
 *         check: [{ status: 201 }, { json: $.name, exists: true }]
 *         think: 100ms
 *       - { name: read, path: '/users/{{vars.id}}' }
 * ```
 *
 * What the schema cannot see (a variable used before a step captures it, a JSON path that does
 * not parse, a module without the named export) is checked by src/load's `flowProblems`.
 */
import { z } from 'zod';
import { duration } from './faults-schema.js';

/** Steps over every flow, at most: each keeps its own per-second histograms in the worker. */
export const maxSteps = 64;
/** The longest think time, ms (1 h). */
const maxThinkMs = 3_600_000;
const think = (min: number) => duration(min, maxThinkMs);

/** A wait after a step: a duration, or a seeded draw (uniform or exponential). */
export const stepThinkSchema = z.union(
  [
    think(0),
    z.strictObject({ dist: z.literal('uniform'), min: think(0), max: think(0) }),
    z.strictObject({ dist: z.literal('exponential'), mean: think(0) }),
  ],
  {
    error:
      'expected a duration such as "100ms", { dist: uniform, min: 50ms, max: 150ms } or { dist: exponential, mean: 100ms }',
  },
);

const varName = z.string().regex(/^[A-Za-z_][\w-]*$/, {
  message: 'must be letters, digits, "_" or "-", starting with a letter or "_"',
});

/** Where a captured value comes from: a JSON path into the body, a header, or the status. */
const captureSourceSchema = z.union(
  [
    z.string().startsWith('$', { message: 'a JSON path starts with "$"' }),
    z.strictObject({ json: z.string() }),
    z.strictObject({ header: z.string().min(1) }),
    z.strictObject({ status: z.literal(true) }),
  ],
  { error: 'expected a JSON path such as "$.id", { json: "$.id" }, { header: etag } or { status: true }' },
);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One assertion on an answer; a failed check is counted, and the journey goes on. */
const checkSchema = z
  .strictObject({
    /** How the check is named in the result (default: what it checks, e.g. "status 201"). */
    name: z.string().min(1).optional(),
    status: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
      .optional(),
    /** A header (case-insensitive) or a JSON path, compared with `equals`, `matches` or `exists`. */
    header: z.string().min(1).optional(),
    json: z.string().optional(),
    /** The value equals this (strings may hold templates, `{{vars.id}}`). */
    equals: scalar.optional(),
    /** The value, as text, matches this regular expression. */
    matches: z.string().optional(),
    /** The value is there (true) or not (false). */
    exists: z.boolean().optional(),
    /** The body's size in bytes is within these bounds. */
    bodySize: z
      .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .optional(),
  })
  .superRefine((check, ctx) => {
    const subjects = (['status', 'header', 'json', 'bodySize'] as const).filter(
      (k) => check[k] !== undefined,
    );
    if (subjects.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of status, header, json, bodySize${subjects.length > 1 ? `, got ${subjects.join(' and ')}` : ''}`,
        input: check,
      });
    }
    const tests = (['equals', 'matches', 'exists'] as const).filter((k) => check[k] !== undefined);
    const valued = check.header !== undefined || check.json !== undefined;
    if (valued && tests.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a header or json check takes exactly one of equals, matches, exists',
        input: check,
      });
    }
    if (!valued && tests.length > 0) {
      ctx.addIssue({ code: 'custom', message: `${tests.join(', ')} go with header or json`, input: check });
    }
    if (check.matches !== undefined) {
      try {
        new RegExp(check.matches);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `not a regular expression: ${(error as Error).message}`,
          path: ['matches'],
          input: check.matches,
        });
      }
    }
  });

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** One step of a flow. */
const stepSchema = z
  .strictObject({
    /** Names the step in the result, the report and `slo: step:` (default "<flow>-<n>"); unique over every flow. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, { message: 'must be letters, digits, ".", "_" or "-"' })
      .optional(),
    method: httpMethod.default('GET'),
    /** Path, with value generators and variables: "/users/{{vars.id}}". */
    path: z.string().startsWith('/', { message: 'must start with "/"' }).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    json: z.unknown().optional(),
    /** Status codes counted as success (default any 2xx or 3xx); another ends the journey. */
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    /** Values taken from the answer into the journey's variables; one that finds nothing ends the journey (error kind "capture"). */
    capture: z.record(varName, captureSourceSchema).optional(),
    check: z.array(checkSchema).optional(),
    /** Wait after this step's answer before the next step. */
    think: stepThinkSchema.optional(),
    /** An ES module (relative to the scenario file) whose function builds this step's request. */
    module: z.string().min(1).optional(),
    /** With `module`: the name of the exported function (default "default"). */
    export: z.string().min(1).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.module === undefined && step.path === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'expected a path, or a module that builds the request',
        input: step,
      });
    if (step.module !== undefined && (step.path !== undefined || step.json !== undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'a module step builds its own request: leave out path and json',
        input: step,
      });
    if (step.export !== undefined && step.module === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'export goes with module',
        path: ['export'],
        input: step.export,
      });
  });

/** One flow: a weighted journey of steps. */
export const flowSchema = z.strictObject({
  /** Names the flow (default "flow-<n>"). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]*$/, { message: 'must be letters, digits, ".", "_" or "-"' })
    .optional(),
  /** Relative share of journeys that follow this flow (default 1). */
  weight: z.number().positive().default(1),
  /** Variables set when a journey starts: templates with value generators, e.g. { key: "k-{{seq}}" }. */
  vars: z.record(varName, z.string()).optional(),
  steps: z.array(stepSchema).min(1).max(100),
});

/** `load.flows`. */
export const flowsSchema = z.array(flowSchema).min(1).max(100);

export type FlowSpec = z.output<typeof flowSchema>;
export type StepSpec = FlowSpec['steps'][number];
export type CaptureSource = z.output<typeof captureSourceSchema>;
export type CheckSpec = z.output<typeof checkSchema>;
export type StepThinkInput = z.output<typeof stepThinkSchema>;

/** A flow's name as the result records it. */
export function flowName(flow: { name?: unknown }, index: number): string {
  return typeof flow.name === 'string' ? flow.name : `flow-${index + 1}`;
}

/** A step's name as the result records it. */
export function stepName(flowLabel: string, step: { name?: unknown }, index: number): string {
  return typeof step.name === 'string' ? step.name : `${flowLabel}-${index + 1}`;
}

/**
 * Every step's name, over every flow, read defensively from raw input (other fields may have
 * failed): what `slo: step:` may name.
 */
export function stepNames(load: unknown): string[] {
  const flows = (load as { flows?: unknown } | undefined)?.flows;
  if (!Array.isArray(flows)) return [];
  return flows.flatMap((flow: unknown, f) => {
    const steps = (flow as { steps?: unknown } | null)?.steps;
    if (!Array.isArray(steps)) return [];
    const label = flowName((flow ?? {}) as { name?: unknown }, f);
    return steps.map((step: unknown, s) => stepName(label, (step ?? {}) as { name?: unknown }, s));
  });
}

/**
 * Adds an issue for a flow name or a step name used twice (step names are unique over every flow:
 * `slo: step:` and the report name a step alone), and for `pipelining` with flows.
 */
export function checkFlows(scenario: { load?: unknown }, ctx: z.RefinementCtx): void {
  const load = scenario.load as { flows?: unknown; requests?: unknown; pipelining?: unknown } | undefined;
  const flows = load?.flows;
  if (flows === undefined) {
    const requests = typeof load === 'object' && load !== null ? load.requests : null;
    if (requests === undefined || (Array.isArray(requests) && requests.length === 0))
      ctx.addIssue({
        code: 'custom',
        message: 'expected at least 1 request, or load.flows (user journeys)',
        path: ['load', 'requests'],
        input: requests,
      });
    return;
  }
  if (!Array.isArray(flows)) return;
  if (typeof load?.pipelining === 'number' && load.pipelining > 1)
    ctx.addIssue({
      code: 'custom',
      message: "expected no pipelining with flows: a journey's steps wait for each other's answers",
      path: ['load', 'pipelining'],
      input: load.pipelining,
    });
  const stepsOf = (flow: unknown): unknown => (flow as { steps?: unknown } | null)?.steps;
  const total = flows.reduce((n: number, flow: unknown) => {
    const steps = stepsOf(flow);
    return n + (Array.isArray(steps) ? steps.length : 0);
  }, 0);
  if (total > maxSteps)
    ctx.addIssue({
      code: 'custom',
      message: `expected at most ${maxSteps} steps over every flow (each keeps its own histograms), got ${total}`,
      path: ['load', 'flows'],
      input: total,
    });
  const flowSeen = new Map<string, number>();
  const stepSeen = new Map<string, string>();
  flows.forEach((flow: unknown, f) => {
    if (typeof flow !== 'object' || flow === null) return;
    const label = flowName(flow as { name?: unknown }, f);
    const first = flowSeen.get(label);
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `expected a name not already used by load.flows[${first}]`,
        path: ['load', 'flows', f, 'name'],
        input: label,
      });
    else flowSeen.set(label, f);
    const steps = (flow as { steps?: unknown }).steps;
    if (!Array.isArray(steps)) return;
    steps.forEach((step: unknown, s) => {
      const name = stepName(label, (step ?? {}) as { name?: unknown }, s);
      const where = `load.flows[${f}].steps[${s}]`;
      const before = stepSeen.get(name);
      if (before !== undefined)
        ctx.addIssue({
          code: 'custom',
          message: `expected a step name not already used by ${before}`,
          path: ['load', 'flows', f, 'steps', s, 'name'],
          input: name,
        });
      else stepSeen.set(name, where);
    });
  });
}
