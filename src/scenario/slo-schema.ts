/**
 * The scenario's `slo:` section. Either one object of limits judged over the whole run (the
 * original form), or a list of entries, each with its limits and optionally a scope:
 *
 * ```yaml
 * slo:
 *   - { p99Ms: 200, errorRate: 0.01 }                     # the whole run
 *   - { during: phase:steady, p99Ms: 80 }                 # one phase
 *   - { during: fault:db-latency, p99Ms: 400 }            # a fault window
 *   - { after: fault:db-latency, for: 10s, p99Ms: 100 }   # from its end, for 10 s
 *   - { after: fault:db-latency, recoveryS: 5 }           # back to the level before it in 5 s
 *   - { retryAmplification: 1.5 }                         # calls to recommendations per call
 *   - { p99Ms: 500, abortOnFail: true, graceS: 5 }        # stop the run when missed 5 s on end
 * ```
 *
 * Scope names are checked against the phases and the faults (see {@link checkSloScopes}).
 */
import { z } from 'zod';
import { duration, faultNames, maxRunMs } from './faults-schema.js';
import { stepNames } from './flow-schema.js';

const limits = {
  /** The 99th-percentile latency must stay at or under this, in milliseconds. */
  p99Ms: z.number().positive().optional(),
  /** The median latency must stay at or under this, in milliseconds. */
  p50Ms: z.number().positive().optional(),
  /** Errors over responses plus errors must stay at or under this ratio (0..1). */
  errorRate: z.number().min(0).max(1).optional(),
};

/** The original form: limits over the whole run. */
export const sloLimitsSchema = z.strictObject(limits);

const scopeMessage = 'expected "phase:<name>" or "fault:<name>"';

/** One entry of the list form. */
export const sloEntrySchema = z
  .strictObject({
    ...limits,
    /** Judge only the seconds of this phase (`phase:<name>`) or fault window (`fault:<name>`). */
    during: z
      .string()
      .regex(/^(phase|fault):.+$/, { message: scopeMessage })
      .optional(),
    /** Judge from the end of this fault window (`fault:<name>`) to the end of the run, or for `for`. */
    after: z
      .string()
      .regex(/^fault:.+$/, { message: 'expected "fault:<name>"' })
      .optional(),
    /** With `after`: how long after the window's end, ms (default: to the run's end). */
    for: duration(1000, maxRunMs).optional(),
    /** With `after`: the most seconds p99 and error rate may take to return to their level before the fault. */
    recoveryS: z.number().min(0).max(86_400).optional(),
    /** With `recoveryS`: how far above the level before the fault p99 may be and still count as recovered (default 0.2 = 20%). */
    margin: z.number().min(0).max(10).optional(),
    /** The most calls to the recommendations dependency per call the service made (retries included), e.g. 1.5. */
    retryAmplification: z.number().min(1).max(1000).optional(),
    /** Judge only this step of a flow (its `name`, e.g. get-profile): its own latency and errors. */
    step: z.string().min(1).optional(),
    /** Stop the run when this entry's limits are missed for `graceS` seconds on end (whole-run entries only). */
    abortOnFail: z.boolean().optional(),
    /** With `abortOnFail`: consecutive missed seconds before the run stops (default 5). */
    graceS: z.number().int().min(1).max(3600).optional(),
  })
  .superRefine(
    (entry, ctx) => {
      const problem = (message: string, key: string): void => {
        ctx.addIssue({ code: 'custom', message, path: [key], input: entry[key as keyof typeof entry] });
      };
      if (entry.during !== undefined && entry.after !== undefined)
        problem('use during or after, not both', 'after');
      if (entry.for !== undefined && entry.after === undefined) problem('for goes with after', 'for');
      if (entry.recoveryS !== undefined && entry.after === undefined)
        problem('recoveryS goes with after', 'recoveryS');
      if (entry.margin !== undefined && entry.recoveryS === undefined)
        problem('margin goes with recoveryS', 'margin');
      if (entry.graceS !== undefined && entry.abortOnFail !== true)
        problem('graceS goes with abortOnFail: true', 'graceS');
      if (entry.abortOnFail === true && (entry.during !== undefined || entry.after !== undefined)) {
        problem(
          'abortOnFail is judged second by second over the whole run: leave out during/after',
          'abortOnFail',
        );
      }
      if (
        entry.abortOnFail === true &&
        entry.p99Ms === undefined &&
        entry.p50Ms === undefined &&
        entry.errorRate === undefined
      ) {
        problem('abortOnFail needs p99Ms, p50Ms or errorRate', 'abortOnFail');
      }
      if (
        entry.step !== undefined &&
        (entry.during !== undefined ||
          entry.after !== undefined ||
          entry.retryAmplification !== undefined ||
          entry.abortOnFail === true)
      ) {
        problem(
          'a step entry is judged over the whole run: leave out during, after, retryAmplification and abortOnFail',
          'step',
        );
      }
      const judged = ['p99Ms', 'p50Ms', 'errorRate', 'recoveryS', 'retryAmplification'] as const;
      if (judged.every((key) => entry[key] === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected at least one of ${judged.join(', ')}`,
          input: entry,
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/** `slo:`: one object of whole-run limits, or a list of entries. */
export const sloSchema = z.union([sloLimitsSchema, z.array(sloEntrySchema).min(1)]);

/** The whole-run limits of the original form. */
export type Slo = z.output<typeof sloLimitsSchema>;
/** One entry of the list form, `for` in ms. */
export type SloEntry = z.output<typeof sloEntrySchema>;

/** The scenario's `slo` as a list of entries (the object form is one whole-run entry). */
export function sloEntries(slo: Slo | SloEntry[] | undefined): SloEntry[] {
  if (slo === undefined) return [];
  return Array.isArray(slo) ? slo : [slo];
}

/**
 * Adds an issue for every `during`/`after` that names no phase or fault of the scenario, listing
 * the names that exist. Reads the raw value defensively (other fields may have failed), so every
 * problem is reported at once.
 */
export function checkSloScopes(
  scenario: { slo?: unknown; faults?: unknown; load?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (!Array.isArray(scenario.slo)) return;
  const phases = phaseNames(scenario.load);
  const faults = Array.isArray(scenario.faults) ? faultNames(scenario.faults) : [];
  const steps = stepNames(scenario.load);
  scenario.slo.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) return;
    const step = (entry as Record<string, unknown>).step;
    if (typeof step === 'string' && !steps.includes(step)) {
      const listed = steps.length === 0 ? 'this scenario has no flows' : `steps: ${steps.join(', ')}`;
      ctx.addIssue({
        code: 'custom',
        message: `expected a step of this scenario's flows (${listed})`,
        path: ['slo', index, 'step'],
        input: step,
      });
    }
    for (const key of ['during', 'after'] as const) {
      const scope = (entry as Record<string, unknown>)[key];
      if (typeof scope !== 'string') continue;
      const match = /^(phase|fault):(.+)$/.exec(scope);
      if (match === null) continue;
      const [, kind, name] = match as unknown as [string, 'phase' | 'fault', string];
      const known = kind === 'phase' ? phases : faults;
      if (known.includes(name)) continue;
      const listed = known.length === 0 ? `this scenario has no ${kind}s` : `${kind}s: ${known.join(', ')}`;
      ctx.addIssue({
        code: 'custom',
        message: `expected a ${kind} of this scenario (${listed})`,
        path: ['slo', index, key],
        input: scope,
      });
    }
  });
}

function phaseNames(load: unknown): string[] {
  const phases = (load as { phases?: unknown } | undefined)?.phases;
  if (!Array.isArray(phases)) return [];
  // A phase without a name is "phase-<n>", as the plan names it.
  return phases.map((p: unknown, index) => {
    const name = (p as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : `phase-${index + 1}`;
  });
}
