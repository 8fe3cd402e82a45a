/**
 * The scenario file's shape. This schema is the truth; docs/scenarios.md only sketches it. Unknown keys
 * are errors, so a misspelt knob is reported rather than silently ignored.
 */
import { z } from 'zod';
import { serviceKnobsSchema } from '../../protocol/index.js';
import { dbSpecSchema } from '../deps/index.js';
import { recsSimSpecSchema } from '../deps/index.js';
import { formatDurationMs, parseThreshold } from '../shared/index.js';
import { matrixModeSchema, matrixSchema } from './matrix-schema.js';
import { checkSloScopes, sloSchema } from './slo-schema.js';
import { checkFlows, flowsSchema } from './flow-schema.js';
import {
  checkFaultNames,
  checkFaultTargets,
  checkFaultTargetsParams,
  duration,
  faultsSchema,
  maxRunMs,
} from './faults-schema.js';

/** The longest one phase may last, ms (24 h). */
export const maxPhaseMs = 86_400_000;
/** The longest a request timeout or a think time may be, ms (1 h). */
export const maxWaitMs = 3_600_000;

/** A duration: seconds as a number, or a string such as "500ms", "5s", "2m". Parsed to milliseconds, from `min` to `max`. */
export const durationMs = (min: number, max: number) => duration(min, max);

/** Phase durations and counts every model shares. */
const phaseDuration = durationMs(1000, maxPhaseMs);
const connectionsSchema = z.number().int().min(1).max(10_000);

const closedPhaseSchema = z.strictObject({
  name: z.string().min(1).optional(),
  duration: phaseDuration,
  /** Connections kept busy, each sending its next request when the previous one is answered. */
  connections: connectionsSchema,
});

/** Arrivals per second: a number, or a linear ramp `{ from, to }` over the phase. */
const rateSchema = z.union(
  [
    z.number().positive().max(1_000_000),
    z.strictObject({
      from: z.number().min(0).max(1_000_000),
      to: z.number().min(0).max(1_000_000),
    }),
  ],
  { error: 'expected requests per second (a number) or a ramp such as { from: 100, to: 1000 }' },
);

const openPhaseSchema = z.strictObject({
  name: z.string().min(1).optional(),
  duration: phaseDuration,
  /** Requests per second started whatever the answers do: constant, or `{ from, to }` ramped linearly. */
  rate: rateSchema,
});

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const requestSchema = z.strictObject({
  /** Relative share of this request in the mix (default 1). */
  weight: z.number().positive().default(1),
  method: httpMethod.default('GET'),
  /** Path, with value generators: "/users/{{zipf 1 100000 1.1}}". */
  path: z.string().startsWith('/', { message: 'must start with "/"' }),
  headers: z.record(z.string(), z.string()).optional(),
  /** A JSON body; string values may hold value generators. */
  json: z.unknown().optional(),
  /** Status codes counted as success; others count as errors (default any 2xx or 3xx). */
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
});

/** Phase names label the report and the result's `phases[]`, so two phases may not share one. */
const phasesOf = <T extends z.ZodType>(phaseSchema: T) =>
  z
    .array(phaseSchema)
    .min(1)
    .superRefine((phases, ctx) => {
      checkRunLength(phases, ctx);
      const seen = new Map<string, number>();
      phases.forEach((phase, index) => {
        // Runs even when an element failed, so look at what is really there.
        const name: unknown = (phase as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string') return;
        const first = seen.get(name);
        if (first === undefined) seen.set(name, index);
        else
          ctx.addIssue({
            code: 'custom',
            message: `expected a name not already used by load.phases[${first}]`,
            path: [index, 'name'],
            input: name,
          });
      });
    });

/** Adds an issue at the phase that takes the run past {@link maxRunMs}; phases that failed count as nothing. */
function checkRunLength(phases: readonly unknown[], ctx: z.RefinementCtx): void {
  let total = 0;
  for (const [index, phase] of phases.entries()) {
    const ms: unknown = (phase as { duration?: unknown } | undefined)?.duration;
    if (typeof ms !== 'number') continue;
    total += ms;
    if (total > maxRunMs) {
      ctx.addIssue({
        code: 'custom',
        message: `the phases must add up to at most ${formatDurationMs(maxRunMs)} (7 days), and reach ${formatDurationMs(total)} here`,
        path: [index, 'duration'],
        input: ms,
      });
      return;
    }
  }
}

/** Closed model: wait after each answer before the next request; a duration or a seeded distribution. */
const thinkTimeSchema = z.union(
  [
    durationMs(0, maxWaitMs),
    z.strictObject({
      dist: z.literal('uniform'),
      min: durationMs(0, maxWaitMs),
      max: durationMs(0, maxWaitMs),
    }),
    z.strictObject({ dist: z.literal('exponential'), mean: durationMs(0, maxWaitMs) }),
  ],
  {
    error:
      'expected a duration such as "100ms", { dist: uniform, min: 50ms, max: 150ms } or { dist: exponential, mean: 100ms }',
  },
);

const protocolSchema = z.enum(['h1', 'h2', 'h2c', 'auto']);
const h2Schema = z.strictObject({ connections: z.number().int().min(1).max(1000).default(1) });

const closedLoadSchema = z.strictObject({
  model: z.literal('closed'),
  phases: phasesOf(closedPhaseSchema),
  /** The request mix; may be left out when `flows` are given (checked by checkFlows). */
  requests: z.array(requestSchema).default([]),
  /** User journeys: weighted flows of steps (flow-schema.ts); beside `requests`, each request is a one-step flow. */
  flows: flowsSchema.optional(),
  /** Wait after each answer before a connection sends its next request (default none). */
  thinkTime: thinkTimeSchema.optional(),
  /** Requests each connection keeps in flight, HTTP/1.1 pipelining (default 1: none). */
  pipelining: z.number().int().min(1).max(256).default(1),
  /** Threads generating the load (default 1: on two cores more threads do not add throughput). */
  workers: z.number().int().min(1).max(64).default(1),
  /** Per-request timeout of the load generator (default 10s). */
  timeout: durationMs(1, maxWaitMs).default(10_000),
  /** HTTP/1.1 ("h1", the default), HTTP/2 over TLS by ALPN ("h2"), HTTP/2 in cleartext by prior knowledge ("h2c"), or "auto": ALPN decides. */
  protocol: protocolSchema.optional(),
  /** HTTP/2: connections each worker opens at most, its requests spread over them as streams (default 1). */
  h2: h2Schema.optional(),
});

const openLoadSchema = z.strictObject({
  model: z.literal('open'),
  phases: phasesOf(openPhaseSchema),
  /** The request mix; may be left out when `flows` are given (checked by checkFlows). */
  requests: z.array(requestSchema).default([]),
  /** User journeys: the rate starts journeys; `maxInFlight` bounds journeys under way. */
  flows: flowsSchema.optional(),
  /** Spacing of arrivals: evenly spaced, or a seeded Poisson process (default uniform). */
  arrivals: z.enum(['uniform', 'poisson']).default('uniform'),
  /** Requests in flight at most, over the whole run; a due request waits, and is dropped at its phase's end (default 1000). */
  maxInFlight: z.number().int().min(1).max(100_000).default(1000),
  /** Threads generating the load; the rate is split across them (default 1). */
  workers: z.number().int().min(1).max(64).default(1),
  /** Per-request timeout of the load generator (default 10s). */
  timeout: durationMs(1, maxWaitMs).default(10_000),
  /** HTTP/1.1 ("h1", the default), HTTP/2 over TLS by ALPN ("h2"), HTTP/2 in cleartext by prior knowledge ("h2c"), or "auto": ALPN decides. */
  protocol: protocolSchema.optional(),
  /** HTTP/2: connections each worker opens at most, its requests spread over them as streams (default 1). */
  h2: h2Schema.optional(),
});

/** `model: closed` (fixed connections) or `model: open` (arrival rate). */
const loadSchema = z.discriminatedUnion('model', [closedLoadSchema, openLoadSchema]);

/**
 * The load as far as it can be checked when `model` names neither model: every field of either
 * model, each checked on its own, so a wrong model does not hide the other mistakes. A phase's
 * `rate` or `connections` is checked when present; which one it needs depends on the model.
 */
const anyModelLoadSchema = z.strictObject({
  ...closedLoadSchema.shape,
  ...openLoadSchema.shape,
  model: z.unknown().optional(),
  phases: phasesOf(
    z.strictObject({
      ...closedPhaseSchema.shape,
      connections: connectionsSchema.optional(),
      rate: rateSchema.optional(),
    }),
  ),
});

/** `load.model` when it names no model (a misspelling, or left out); undefined when the load is not an object. */
function unknownModel(load: unknown): { model: unknown } | undefined {
  if (typeof load !== 'object' || load === null || Array.isArray(load)) return undefined;
  const model = (load as { model?: unknown }).model;
  return model === 'closed' || model === 'open' ? undefined : { model };
}

/**
 * With a `load.model` that names no model, the discriminated union reports only the model: this
 * adds the problems of every other load field, checked as {@link anyModelLoadSchema} does.
 */
function checkLoadWhateverTheModel(scenario: { load?: unknown }, ctx: z.RefinementCtx): void {
  if (unknownModel(scenario.load) === undefined) return;
  const checked = anyModelLoadSchema.safeParse(scenario.load);
  if (checked.success) return;
  for (const issue of checked.error.issues) {
    ctx.addIssue({ ...issue, path: ['load', ...issue.path] } as z.core.$ZodRawIssue);
  }
}

/** A whole scenario file, before the checks that span sections. */
const scenarioObjectSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: 'must be letters, digits, ".", "_" or "-" (it names the report folder)',
  }),
  description: z.string().optional(),
  /** Seed for every random draw of the run; the same seed repeats the same run (default 1). */
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  service: serviceKnobsSchema,
  dependencies: z.strictObject({ db: dbSpecSchema, recommendations: recsSimSpecSchema }).prefault({}),
  load: loadSchema,
  /** Service-level objectives: whole-run limits, or a list of scoped entries (docs/slo.md). */
  slo: sloSchema.optional(),
  /** Faults injected on the wire between the service and a dependency, at set times (default none). */
  faults: faultsSchema,
  /** Thresholds `loadlab compare` gates on, e.g. ["p99:+10%", "rps:-5%", "errorRate:+0.5pp"] (docs/compare.md). */
  gate: z
    .array(
      z.string().superRefine((text, ctx) => {
        const parsed = parseThreshold(text);
        if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem, input: text });
      }),
    )
    .optional(),
  /** Knob values `loadlab sweep` runs one variant per combination of: path → values (docs/sweep.md). */
  matrix: matrixSchema.optional(),
  /** How the matrix's lists combine: `product` (every combination, the default) or `zip`. */
  matrixMode: matrixModeSchema.optional(),
});

/** A whole scenario file, with the checks that span sections (a fault's `on` names a dependency). */
export const scenarioSchema = scenarioObjectSchema
  .superRefine(checkFaultTargets, checkFaultTargetsParams)
  .superRefine(checkLoadWhateverTheModel, checkFaultTargetsParams)
  .superRefine(checkFaultNames, checkFaultTargetsParams)
  .superRefine(checkSloScopes, checkFaultTargetsParams)
  .superRefine(checkFlows, checkFaultTargetsParams);

export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario with every default filled in and every duration in milliseconds. */
export type Scenario = z.output<typeof scenarioSchema>;
export type RequestSpec = Scenario['load']['requests'][number];
export type { CaptureSource, CheckSpec, FlowSpec, StepSpec, StepThinkInput } from './flow-schema.js';
export type { Slo, SloEntry } from './slo-schema.js';
/** An open-model phase's rate as written: requests per second, or a linear ramp. */
export type RateSpec = z.output<typeof rateSchema>;
/** A closed-model think time as written, durations in milliseconds. */
export type ThinkTimeInput = z.output<typeof thinkTimeSchema>;
