/**
 * One run, end to end. Each step is a small function; every exit path stops what was started.
 *
 *   boot system ─▶ run load (workers) ─▶ read service counters ─▶ stop children ─▶ result
 *        │              │ abort (Ctrl-C) / child died: stop load early, keep what was measured
 *        └─ --target: only check that the target answers
 */
import { LoadAggregate, runLoad } from '../load/index.js';
import type { LatencyHistogram } from '../metrics/index.js';
import { formatLatencyLog } from '../results/index.js';
import type { PhaseRecord, ResultDocument, Environment } from '../results/index.js';
import type { RunPlan, Scenario } from '../scenario/index.js';
import { isLoadlabError, loadlabError, type LoadlabError } from '../shared/index.js';
import { parsePromText, sumSamples } from '../telemetry/index.js';
import { assembleResult } from './assemble-result.js';
import { describeExit } from './child-process.js';
import { createFaultSchedule, type FaultSchedule } from './fault-schedule.js';
import { startSystem, type ProcessRuntime, type RunningSystem } from './system.js';
import { startTelemetryCollector, type TelemetryCollector } from './telemetry-collector.js';

/** What the lab reports while it works; the CLI's progress line subscribes to these. */
export type LabEvent =
  | { type: 'status'; message: string }
  | { type: 'load-started'; targetUrl: string; totalS: number }
  | { type: 'phase'; index: number; name: string }
  | {
      type: 'progress';
      elapsedS: number;
      totalS: number;
      phase: string;
      rps: number;
      p99Ms: number;
      errors: number;
      requests: number;
      /** Open model: requests due but not sent so far, as the workers' one-second windows report them. */
      dropped?: number;
    };

export interface LabOptions {
  scenario: Scenario;
  plan: RunPlan;
  /** The scenario file's folder: CSV files named in request templates are relative to it (default the working folder). */
  scenarioDir?: string;
  /** A service the user runs: nothing is booted, load goes there. */
  targetUrl?: string;
  runtime: ProcessRuntime;
  environment: Environment;
  /** Aborting (Ctrl-C, SIGTERM) stops the run early; results so far are kept. */
  signal: AbortSignal;
  onEvent?: (event: LabEvent) => void;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
  /**
   * With `targetUrl`: the admin API of the user's own fault proxy (`loadlab proxy`), which the
   * scenario's faults are applied through. A scenario with faults and a target needs it.
   */
  proxyAdminUrl?: string;
}

export interface LabOutcome {
  result: ResultDocument;
  /** The run's latency as an HdrHistogram interval log (one interval per second), when load ran. */
  latencyLog?: string;
  /** Set when the run could not be carried out to its end for a reason other than an interrupt. */
  failure?: LoadlabError;
}

/** Runs the scenario's plan. Rejects only when nothing could be measured (the system failed to start). */
export async function runLab(options: LabOptions): Promise<LabOutcome> {
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(options.signal.reason);
  options.signal.addEventListener('abort', onOuterAbort, { once: true });
  let system: RunningSystem | undefined;
  let telemetry: TelemetryCollector | undefined;
  let failure: LoadlabError | undefined;
  let schedule: FaultSchedule | undefined;
  const startedAtMs = now();
  try {
    const faults = options.plan.faults ?? [];
    if (faults.length > 0 && options.targetUrl !== undefined && options.proxyAdminUrl === undefined) {
      throw loadlabError(
        'BAD_FLAG',
        'the scenario has faults, but with --target there is no lab proxy to apply them through: pass --proxy URL (the admin API of your `loadlab proxy`) or drop the faults',
      );
    }
    if (options.proxyAdminUrl !== undefined && options.targetUrl === undefined) {
      throw loadlabError(
        'BAD_FLAG',
        '--proxy goes with --target; without it the lab runs its own fault proxy',
      );
    }
    let targetUrl: string;
    if (options.targetUrl !== undefined) {
      await checkReachable(options.targetUrl);
      targetUrl = options.targetUrl;
    } else {
      system = await startSystem(
        {
          knobs: options.scenario.service,
          db: options.scenario.dependencies.db,
          recommendations: options.scenario.dependencies.recommendations,
          seed: options.scenario.seed,
        },
        options.runtime,
        abort.signal,
        (message) => emit({ type: 'status', message }),
      );
      targetUrl = system.url;
      for (const child of system.children) {
        void child.exited.then((e) => {
          if (abort.signal.aborted) return;
          failure = loadlabError(
            'CHILD_FAILED',
            `the ${child.name} process died during the run (${describeExit(e)})`,
            {
              problems: child.lastLines(),
            },
          );
          abort.abort(failure);
        });
      }
    }

    const serviceChild = system?.children.find((c) => c.name === 'service');
    telemetry = startTelemetryCollector(serviceChild ? { child: serviceChild } : { url: targetUrl });
    const adminUrl = system?.proxyAdminUrl ?? options.proxyAdminUrl;
    if (faults.length > 0 && adminUrl !== undefined)
      schedule = createFaultSchedule({ faults, adminUrl, now });
    await schedule?.prepare();
    const load = await driveLoad(options, targetUrl, abort.signal, emit, now, (zero) =>
      schedule?.begin(zero),
    );
    const faultRecords = (await schedule?.finish()) ?? [];
    await telemetry.stop();
    const serviceCounted = failure ? undefined : await readServiceCount(targetUrl);
    abort.abort('run finished');
    await system?.stop();
    const interrupted = options.signal.aborted;
    const result = assembleResult({
      scenario: options.scenario,
      environment: options.environment,
      target: { url: targetUrl, kind: options.targetUrl === undefined ? 'reference' : 'external' },
      startedAtMs: load.startEpochMs,
      endedAtMs: load.endEpochMs,
      loadDurationS: (load.endEpochMs - load.startEpochMs) / 1000,
      phases: load.phases,
      aggregate: load.aggregate,
      sent: load.sent,
      completed: load.completed,
      unanswered: load.unanswered,
      ...(options.plan.open === undefined
        ? {}
        : { open: { dropped: load.dropped, planned: load.planned, lag: load.lag } }),
      interrupted,
      ...(failure ? { abortReason: failure.message } : interrupted ? { abortReason: 'interrupted' } : {}),
      ...(serviceCounted === undefined ? {} : { serviceCounted }),
      faults: faultRecords,
      telemetry: {
        info: telemetry.info(),
        bySecond: telemetry.aligned(
          load.startEpochMs,
          Math.ceil((load.endEpochMs - load.startEpochMs) / 1000),
        ),
      },
    });
    const latencyLog = formatLatencyLog(load.startEpochMs, load.aggregate.windows());
    return failure ? { result, latencyLog, failure } : { result, latencyLog };
  } catch (error) {
    await schedule?.finish();
    await telemetry?.stop();
    if (system) await system.stop();
    if (isLoadlabError(error, 'INTERRUPTED') || options.signal.aborted) {
      // Interrupted before any load ran: an empty, interrupted result.
      return { result: emptyResult(options, startedAtMs, now()) };
    }
    throw error;
  } finally {
    options.signal.removeEventListener('abort', onOuterAbort);
  }
}

interface DrivenLoad {
  aggregate: LoadAggregate;
  sent: number;
  dropped: number;
  planned: number;
  lag: LatencyHistogram;
  completed: number;
  unanswered: number;
  phases: PhaseRecord[];
  startEpochMs: number;
  endEpochMs: number;
}

async function driveLoad(
  options: LabOptions,
  targetUrl: string,
  signal: AbortSignal,
  emit: (e: LabEvent) => void,
  now: () => number,
  onZero: (startEpochMs: number) => void = () => {},
): Promise<DrivenLoad> {
  const { plan, scenario } = options;
  // Time zero lies a little ahead so every worker thread is up before the first request is due;
  // further for the open model, whose first requests would otherwise be sent late.
  const startEpochMs = now() + (plan.open === undefined ? 200 : 500);
  onZero(startEpochMs);
  const totalS = plan.totalMs / 1000;
  const phaseStarts = new Map<number, number>();
  let currentPhase = plan.phases[0]?.name ?? '';
  emit({ type: 'load-started', targetUrl, totalS });

  const aggregate = new LoadAggregate();
  const ticker = setInterval(() => {
    const elapsedS = Math.max(0, (now() - startEpochMs) / 1000);
    const last = aggregate.second(Math.floor(elapsedS) - 1);
    emit({
      type: 'progress',
      elapsedS,
      totalS,
      phase: currentPhase,
      rps: last?.requests ?? 0,
      p99Ms: last?.latencyMs.p99 ?? 0,
      errors: aggregate.errors,
      requests: aggregate.requests,
      ...(plan.open === undefined ? {} : { dropped: aggregate.dropped }),
    });
  }, 1000);
  try {
    const outcome = await runLoad({
      plan,
      requests: scenario.load.requests,
      targetUrl,
      seed: scenario.seed,
      timeoutMs: scenario.load.timeout,
      startEpochMs,
      signal,
      ...(options.scenarioDir === undefined ? {} : { baseDir: options.scenarioDir }),
      onPhase: (index) => {
        const p = plan.phases[index];
        if (p === undefined) return;
        phaseStarts.set(index, now());
        currentPhase = p.name;
        emit({ type: 'phase', index, name: p.name });
      },
      aggregate,
    });
    const endEpochMs = Math.min(now(), startEpochMs + plan.totalMs);
    return {
      ...outcome,
      aggregate,
      phases: actualPhases(plan, phaseStarts, startEpochMs, endEpochMs),
      startEpochMs,
      endEpochMs,
    };
  } finally {
    clearInterval(ticker);
  }
}

/** The phases as they actually ran: their planned starts, cut at the run's actual end. */
function actualPhases(
  plan: RunPlan,
  starts: Map<number, number>,
  startEpochMs: number,
  endEpochMs: number,
): PhaseRecord[] {
  const endS = (endEpochMs - startEpochMs) / 1000;
  return plan.phases
    .filter((p) => starts.has(p.index))
    .map((p) => ({
      name: p.name,
      startS: round3(((starts.get(p.index) as number) - startEpochMs) / 1000),
      endS: round3(Math.min(p.endMs / 1000, endS)),
      ...(p.connections === undefined ? {} : { connections: p.connections }),
      ...(p.rate === undefined ? {} : { rate: { ...p.rate } }),
    }));
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

async function checkReachable(url: string): Promise<void> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw loadlabError(
      'TARGET_UNREACHABLE',
      `the target ${url} did not answer (${cause?.code ?? (error as Error).message})`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Requests the service counted on its user-facing routes, from its /metrics
 * (`http_requests_total` without /metrics, /health and /ready); undefined when it has none.
 */
async function readServiceCount(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return undefined;
    }
    const samples = parsePromText(await res.text());
    if (!samples.some((s) => s.name === 'http_requests_total')) return undefined;
    return sumSamples(
      samples,
      'http_requests_total',
      (l) => !['/metrics', '/health', '/ready'].includes(l.route ?? ''),
    );
  } catch {
    // A target without a readable /metrics simply has no count; the result says nothing of it.
    return undefined;
  }
}

function emptyResult(options: LabOptions, startedAtMs: number, endedAtMs: number): ResultDocument {
  return assembleResult({
    scenario: options.scenario,
    environment: options.environment,
    target: {
      url: options.targetUrl ?? '',
      kind: options.targetUrl === undefined ? 'reference' : 'external',
    },
    startedAtMs,
    endedAtMs,
    loadDurationS: 0,
    phases: [],
    aggregate: new LoadAggregate(),
    sent: 0,
    completed: 0,
    interrupted: true,
    abortReason: 'interrupted before the load started',
  });
}
