/** The plain-text description of a plan that `loadlab validate` prints. */
import { serviceKnobsSchema } from '../../protocol/index.js';
import { formatDurationMs } from '../shared/index.js';
import { plannedArrivals, type PhaseRate, type RunPlan } from './plan.js';
import { describeFaults } from './fault-plan.js';
import { flowName, stepName, type FlowSpec } from './flow-schema.js';
import type { Scenario } from './schema.js';

/**
 * Describes the scenario and its plan: name and description, the phases over time, the request
 * mix as percentages, service knobs that differ from their defaults, dependencies and SLOs.
 */
export function describePlan(plan: RunPlan, scenario: Scenario): string {
  const sections = [
    header(scenario),
    `Load: ${model(plan)}, ${plural(plan.workers, 'worker')}, request timeout ${formatDurationMs(scenario.load.timeout)}, seed ${scenario.seed}`,
    phases(plan, scenario),
    requests(scenario),
    service(scenario),
    dependencies(scenario),
    describeFaults(plan.faults ?? [], scenario.faults.length),
    slos(scenario),
  ];
  return sections.join('\n\n');
}

function header(scenario: Scenario): string {
  return scenario.description
    ? `Scenario: ${scenario.name}\n  ${scenario.description}`
    : `Scenario: ${scenario.name}`;
}

function model(plan: RunPlan): string {
  const closed = plan.closed;
  if (closed !== undefined && (closed.pipelining > 1 || closed.thinkTime !== undefined)) {
    const extras = [
      ...(closed.pipelining > 1 ? [`pipelining ${closed.pipelining}`] : []),
      ...(closed.thinkTime === undefined ? [] : [`think time ${describeThink(closed.thinkTime)}`]),
    ];
    return `${plan.model} model (${extras.join(', ')})`;
  }
  if (plan.open === undefined) return `${plan.model} model`;
  return `${plan.model} model (${plan.open.arrivals} arrivals, at most ${plan.open.maxInFlight} in flight)`;
}

function phases(plan: RunPlan, scenario: Scenario): string {
  const scenarioMs = scenario.load.phases
    .map((phase) => phase.duration)
    .reduce((sum, duration) => sum + duration, 0);
  const title =
    plan.totalMs < scenarioMs
      ? `Phases (${at(plan.totalMs)} in all: cut by --duration from the scenario's ${at(scenarioMs)})`
      : `Phases (${at(plan.totalMs)} in all)`;
  const open = plan.open !== undefined;
  const rows = plan.phases.map((p) => [
    String(p.index + 1),
    p.name,
    at(p.startMs),
    at(p.endMs),
    formatDurationMs(p.durationMs),
    ...(open ? [describeRate(p.rate), String(Math.round(plannedArrivals(p)))] : [String(p.connections ?? 0)]),
  ]);
  const head = ['#', 'name', 'start', 'end', 'duration', ...(open ? ['rate', 'arrivals'] : ['connections'])];
  const right = [true, false, true, true, true, true, ...(open ? [true] : [])];
  return `${title}\n${table([head, ...rows], right)}`;
}

/** `100ms`, `uniform 50ms..150ms` or `exponential, mean 100ms`. */
function describeThink(t: NonNullable<NonNullable<RunPlan['closed']>['thinkTime']>): string {
  if (t.dist === 'constant') return formatDurationMs(t.ms);
  if (t.dist === 'uniform') return `uniform ${formatDurationMs(t.minMs)}..${formatDurationMs(t.maxMs)}`;
  return `exponential, mean ${formatDurationMs(t.meanMs)}`;
}

/** `500/s`, or `200/s -> 2000/s` for a ramp. */
function describeRate(rate: PhaseRate | undefined): string {
  if (rate === undefined) return '';
  if (rate.from === rate.to) return `${round(rate.from)}/s`;
  return `${round(rate.from)}/s -> ${round(rate.to)}/s`;
}

function requests(scenario: Scenario): string {
  const flows = scenario.load.flows;
  if (flows !== undefined) return describeFlows(scenario, flows);
  const total = scenario.load.requests.reduce((sum, r) => sum + r.weight, 0);
  const rows = scenario.load.requests.map((r) => [
    `${round((r.weight / total) * 100)}%`,
    r.method,
    r.path + (r.json === undefined ? '' : '  (JSON body)'),
  ]);
  return `Requests\n${table([['share', 'method', 'path'], ...rows], [true, false, false])}`;
}

/** The flows and their steps (the plain requests, when given too, are one-step flows). */
function describeFlows(scenario: Scenario, flows: readonly FlowSpec[]): string {
  const total = [...scenario.load.requests, ...flows].reduce((sum, f) => sum + f.weight, 0);
  const rows: string[][] = [];
  scenario.load.requests.forEach((r, i) => {
    rows.push([`${round((r.weight / total) * 100)}%`, `request-${i + 1}`, '', `${r.method} ${r.path}`, '']);
  });
  flows.forEach((flow, f) => {
    const label = flowName(flow, f);
    flow.steps.forEach((step, s) => {
      const what =
        step.module === undefined
          ? `${step.method} ${step.path ?? ''}`
          : `module ${step.module}#${step.export ?? 'default'}`;
      const extras = [
        step.capture === undefined ? '' : `capture ${Object.keys(step.capture).join(', ')}`,
        step.check === undefined ? '' : `${step.check.length} check(s)`,
        step.think === undefined ? '' : 'think',
      ].filter((x) => x !== '');
      rows.push([
        s === 0 ? `${round((flow.weight / total) * 100)}%` : '',
        s === 0 ? label : '',
        stepName(label, step, s),
        what,
        extras.join(', '),
      ]);
    });
  });
  return `Flows (journeys; share of journeys started)\n${table(
    [['share', 'flow', 'step', 'request', ''], ...rows],
    [true, false, false, false, false],
  )}`;
}

function service(scenario: Scenario): string {
  const defaults = leaves(serviceKnobsSchema.parse(undefined));
  const changed = [...leaves(scenario.service)]
    .filter(([path, value]) => defaults.get(path) !== value)
    .map(([path, value]) => [path, String(value), `(default ${String(defaults.get(path))})`]);
  if (changed.length === 0) return 'Service knobs: all defaults';
  return `Service knobs differing from the defaults\n${table(changed, [false, true, false])}`;
}

function dependencies(scenario: Scenario): string {
  const rows = Object.entries(scenario.dependencies).map(([name, spec]) => [name, ...dependency(spec)]);
  return `Dependencies (not started with --target)\n${table(rows, [false, false, false])}`;
}

/** `[kind, settings]` of one dependency: simulated, or a real PostgreSQL (embedded, or the user's). */
function dependency(spec: Scenario['dependencies'][keyof Scenario['dependencies']]): [string, string] {
  if ('kind' in spec && spec.kind === 'postgres') {
    const where =
      spec.embedded === true
        ? 'embedded (a throw-away cluster started for the run)'
        : `at ${redactPassword(spec.url ?? '')}`;
    return ['PostgreSQL', `${where}, users ${spec.users}`];
  }
  const { kind: _kind, ...settings } = spec as Record<string, unknown>;
  return ['simulated', describeSpec(settings)];
}

/** `postgres://user:***@host/db`: a URL's password is not printed. */
function redactPassword(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]+:)[^@/]*@/, '$1***@');
}

function slos(scenario: Scenario): string {
  const { slo } = scenario;
  if (Array.isArray(slo)) {
    const entries = slo.map((entry) => {
      const scope =
        entry.step !== undefined
          ? `step ${entry.step}`
          : entry.during !== undefined
            ? `during ${entry.during}`
            : entry.after !== undefined
              ? `after ${entry.after}${entry.for === undefined ? '' : ` for ${entry.for / 1000}s`}`
              : 'whole run';
      const limits = [
        ...limitLines(entry),
        entry.recoveryS === undefined
          ? undefined
          : `recovery <= ${entry.recoveryS}s (margin ${round((entry.margin ?? 0.2) * 100, 3)}%)`,
        entry.retryAmplification === undefined
          ? undefined
          : `retry amplification <= ${entry.retryAmplification}`,
        entry.abortOnFail === true ? `abort when missed ${entry.graceS ?? 5}s on end` : undefined,
      ].filter((line) => line !== undefined);
      return `${scope}: ${limits.join(', ')}`;
    });
    return `SLOs\n${entries.map((line) => `  ${line}`).join('\n')}`;
  }
  const lines = slo === undefined ? [] : limitLines(slo);
  return lines.length === 0 ? 'SLOs: none' : `SLOs\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

function limitLines(slo: { p50Ms?: number; p99Ms?: number; errorRate?: number }): string[] {
  return [
    slo.p50Ms === undefined ? undefined : `p50 <= ${slo.p50Ms}ms`,
    slo.p99Ms === undefined ? undefined : `p99 <= ${slo.p99Ms}ms`,
    slo.errorRate === undefined ? undefined : `error rate <= ${round(slo.errorRate * 100, 3)}%`,
  ].filter((line) => line !== undefined);
}

/** `capacity 8, latency lognormal (p50Ms 2, p99Ms 15), errorRatio 0` */
function describeSpec(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const { dist, ...rest } = value as Record<string, unknown>;
  const fields = Object.entries(rest)
    .map(([key, inner]) => `${key} ${describeSpec(inner)}`)
    .join(', ');
  return dist === undefined ? fields : `${String(dist)} (${fields})`;
}

/** Leaf values of a nested object by dotted path. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) leaves(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** Aligned columns, indented two spaces; `right[i]` right-aligns column i. */
function table(rows: readonly string[][], right: readonly boolean[]): string {
  const widths = right.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}

function at(ms: number): string {
  return ms === 0 ? '0s' : formatDurationMs(ms);
}

function round(value: number, digits = 1): string {
  return String(Number(value.toFixed(digits)));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
