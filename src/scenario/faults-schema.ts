/**
 * The scenario's `faults:` list: what goes wrong on the wire between the service and a
 * dependency, when, and for how long. Each entry names one fault: a Toxiproxy toxic under its own
 * name and attributes, or an HTTP fault (`http:`) decided per request.
 *
 * ```yaml
 * faults:
 *   - { at: 20s, for: 10s, on: db, latency: { latency: 50, jitter: 10 } }
 *   - { at: 35s, for: 5s, on: recommendations, http: { status: 503, ratio: 0.3 } }
 * ```
 */
import { z } from 'zod';
import { attributeLimits, describeLimit, type AttributeLimit } from '../chaos/index.js';
import { checkDuration, durationExpected } from '../shared/index.js';

/** The longest a run may last, ms (7 days): a fault's `at` and `for` are held to it too. */
export const maxRunMs = 7 * 86_400_000;

/** A duration in ms (number of seconds, or "500ms", "5s"), from `min` to `max` ms. */
export const duration = (min: number, max: number) =>
  z.union([z.number(), z.string()], { error: durationExpected }).transform((value, ctx) => {
    const checked = checkDuration(value, min, max);
    if ('problem' in checked) {
      ctx.addIssue({ code: 'custom', message: checked.problem, input: value });
      return z.NEVER;
    }
    return checked.ms;
  });

/** Runs a refinement even when other fields failed, so every problem is reported at once. */
const objectsAlways = {
  when: (payload: { value: unknown }): boolean => typeof payload.value === 'object' && payload.value !== null,
};

/** A toxic attribute held to the range the proxy takes (see chaos/attribute-limits.ts); `min` raises the floor. */
function attribute(type: string, key: string, min?: { value: number; exclusive?: boolean }) {
  const limit = attributeLimits[type]?.[key] as AttributeLimit;
  const unit = limit.unit === '' ? '' : ` ${limit.unit}`;
  const message =
    min?.exclusive === true
      ? `expected a number greater than ${min.value} and at most ${limit.max}${unit}`
      : `expected ${describeLimit({ ...limit, min: min?.value ?? limit.min })}`;
  let schema = z.number({ error: message });
  if (limit.integer) schema = schema.int({ message });
  schema =
    min?.exclusive === true
      ? schema.gt(min.value, { message })
      : schema.min(min?.value ?? limit.min, { message });
  return schema.max(limit.max, { message });
}

/** The Toxiproxy toxics, each with its attributes (defaults as in Toxiproxy, ranges as the proxy takes them). */
const toxicSchemas = {
  /** Delay each chunk by `latency` ms ± `jitter` ms. */
  latency: z.strictObject({
    latency: attribute('latency', 'latency'),
    jitter: attribute('latency', 'jitter').default(0),
  }),
  /** Limit to `rate` KB/s. */
  bandwidth: z.strictObject({ rate: attribute('bandwidth', 'rate', { value: 0, exclusive: true }) }),
  /** Delay the close by `delay` ms. */
  slow_close: z.strictObject({ delay: attribute('slow_close', 'delay') }),
  /** Stop all data; close after `timeout` ms (0: hold until the fault ends). */
  timeout: z.strictObject({ timeout: attribute('timeout', 'timeout').default(0) }),
  /** Reset the connection after `timeout` ms. */
  reset_peer: z.strictObject({ timeout: attribute('reset_peer', 'timeout').default(0) }),
  /** Slice data into `average_size` ± `size_variation` byte pieces, `delay` µs apart. */
  slicer: z.strictObject({
    average_size: attribute('slicer', 'average_size', { value: 1 }),
    size_variation: attribute('slicer', 'size_variation').default(0),
    delay: attribute('slicer', 'delay').default(0),
  }),
  /** Close the connection after `bytes` bytes. */
  limit_data: z.strictObject({ bytes: attribute('limit_data', 'bytes') }),
} as const;

/** Toxiproxy toxic names a fault may use. */
export const toxicNames = Object.keys(toxicSchemas) as (keyof typeof toxicSchemas)[];

/** An HTTP fault: exactly one of `status`, `delay` or `cut`, for a `ratio` of matching requests. */
const httpFaultSchema = z
  .strictObject({
    /** Answer with this status instead of forwarding the request. */
    status: attribute('http_status', 'status').optional(),
    /** With `status`: a Retry-After header, in seconds. */
    retryAfter: attribute('http_status', 'retry_after').optional(),
    /** Hold the request this long before forwarding it, ms. */
    delay: attribute('http_delay', 'delay').optional(),
    /** Cut the connection in the middle of the response. */
    cut: z.literal(true).optional(),
    /** Share of matching requests hit, 0..1 (default 1). */
    ratio: z.number().min(0).max(1).default(1),
    /** Only requests with this method and/or path (`*` within a segment, `**` across). */
    match: z
      .strictObject({
        method: z
          .string()
          .regex(/^[A-Za-z]+$/, { message: 'expected an HTTP method such as GET' })
          .optional(),
        path: z.string().startsWith('/', { message: 'must start with "/"' }).optional(),
      })
      .optional(),
  })
  .superRefine((http, ctx) => {
    const kinds = (['status', 'delay', 'cut'] as const).filter((k) => http[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of status, delay or cut, found ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
        input: kinds,
      });
    }
    if (http.retryAfter !== undefined && http.status === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'retryAfter goes with status',
        path: ['retryAfter'],
        input: http,
      });
    }
  }, objectsAlways);

const faultSchema = z
  .strictObject({
    /** What SLO scopes call it (`fault:<name>`); default `<on>-<kind>`, numbered when repeated. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'must be letters, digits, ".", "_" or "-"' })
      .optional(),
    /** When the fault starts, from the start of the load. */
    at: duration(0, maxRunMs),
    /** How long it lasts (default: to the end of the run). */
    for: duration(1, maxRunMs).optional(),
    /** The dependency it hits: a key of `dependencies`. */
    on: z.string().min(1),
    /** Toxics only: upstream (service → dependency) or downstream (default). */
    stream: z.enum(['upstream', 'downstream']).optional(),
    /** Toxics only: share of connections it applies to, 0..1 (default 1). */
    toxicity: z.number().min(0).max(1).optional(),
    latency: toxicSchemas.latency.optional(),
    bandwidth: toxicSchemas.bandwidth.optional(),
    slow_close: toxicSchemas.slow_close.optional(),
    timeout: toxicSchemas.timeout.optional(),
    reset_peer: toxicSchemas.reset_peer.optional(),
    slicer: toxicSchemas.slicer.optional(),
    limit_data: toxicSchemas.limit_data.optional(),
    http: httpFaultSchema.optional(),
    /**
     * Take the dependency down: its proxy stops listening and cuts every open connection (the
     * proxy's `enabled: false`, as in Toxiproxy), then comes back at the window's end.
     */
    down: z.literal(true, { error: 'expected true (the dependency is down for the window)' }).optional(),
  })
  .superRefine((fault, ctx) => {
    const kinds = [...toxicNames, 'http' as const, 'down' as const].filter((k) => fault[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one fault (${toxicNames.join(', ')}, http or down), found ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
        input: kinds,
      });
    }
    for (const kind of ['http', 'down'] as const) {
      if (fault[kind] === undefined) continue;
      for (const key of ['stream', 'toxicity'] as const) {
        if (fault[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message:
              kind === 'http'
                ? `${key} applies to toxics only; an http fault takes ratio`
                : `${key} applies to toxics only; down takes every connection`,
            path: [key],
            input: fault[key],
          });
        }
      }
    }
  }, objectsAlways);

/** The `faults:` list (default empty). */
export const faultsSchema = z.array(faultSchema).default([]);

/** One fault as validated, durations in ms. */
export type FaultSpec = z.output<typeof faultSchema>;

/**
 * Adds an issue for every fault whose `on` names no dependency of the scenario, and for every
 * `http:` fault on a PostgreSQL database (its wire protocol is not HTTP). Used as the
 * scenario's refinement (with {@link checkFaultTargetsParams}) so it is located like every other
 * problem; it reads the value defensively, as other fields may have failed.
 */
export function checkFaultTargets(
  scenario: { faults?: unknown; dependencies?: unknown },
  ctx: z.RefinementCtx,
): void {
  const deps = scenario.dependencies;
  if (!Array.isArray(scenario.faults) || typeof deps !== 'object' || deps === null) return;
  const names = Object.entries(deps)
    .filter(([, spec]) => spec !== undefined)
    .map(([name]) => name);
  scenario.faults.forEach((fault: unknown, index) => {
    const { on, http } = (fault ?? {}) as { on?: unknown; http?: unknown };
    if (typeof on !== 'string') return;
    if (names.includes(on)) {
      const kind = (deps as Record<string, { kind?: unknown } | undefined>)[on]?.kind;
      if (http === undefined || kind !== 'postgres') return;
      ctx.addIssue({
        code: 'custom',
        message: `expected a toxic such as latency or reset_peer (${on} is PostgreSQL, not HTTP)`,
        path: ['faults', index, 'http'],
        input: http,
      });
      return;
    }
    ctx.addIssue({
      code: 'custom',
      message: `expected a dependency of this scenario (${names.join(', ')})`,
      path: ['faults', index, 'on'],
      input: on,
    });
  });
}

/**
 * The kind a fault entry stands for, read from the raw entry: the toxic's name, `http_status`,
 * `http_delay`, `http_cut`, or `down` (`fault` when none can be told).
 */
function kindOf(fault: Record<string, unknown>): string {
  if (fault.down !== undefined) return 'down';
  const http = fault.http as Record<string, unknown> | undefined;
  if (http !== undefined && http !== null && typeof http === 'object') {
    if (http.status !== undefined) return 'http_status';
    if (http.delay !== undefined) return 'http_delay';
    if (http.cut !== undefined) return 'http_cut';
    return 'http';
  }
  return toxicNames.find((t) => fault[t] !== undefined) ?? 'fault';
}

/**
 * Each fault's name, in order: its `name`, or `<on>-<kind>` (e.g. `db-latency`,
 * `recommendations-http_status`), with `-2`, `-3`, ... on the second and later of a repeated
 * default. Reads the raw entries defensively, so validation can use it before parsing succeeds.
 */
export function faultNames(faults: readonly unknown[]): string[] {
  const seen = new Map<string, number>();
  return faults.map((raw) => {
    const fault = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof fault.name === 'string') return fault.name;
    const base = `${typeof fault.on === 'string' ? fault.on : 'fault'}-${kindOf(fault)}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
}

/** Adds an issue for every fault `name` already used by an earlier fault. */
export function checkFaultNames(scenario: { faults?: unknown }, ctx: z.RefinementCtx): void {
  if (!Array.isArray(scenario.faults)) return;
  const names = faultNames(scenario.faults);
  names.forEach((name, index) => {
    const first = names.indexOf(name);
    if (first === index) return;
    ctx.addIssue({
      code: 'custom',
      message: `expected a name not already used by faults[${first}]`,
      path: ['faults', index, 'name'],
      input: name,
    });
  });
}

/** Lets {@link checkFaultTargets} run even when other parts of the scenario failed. */
export const checkFaultTargetsParams = objectsAlways;
