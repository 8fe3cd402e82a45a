/**
 * One run of one plan, end to end: plan in, measurements out. Everything started pushes its stop
 * onto one cleanup stack, which runs once, in reverse, whatever happens.
 *
 *   prepare target ─▶ telemetry ─▶ fault schedule ─▶ load (workers) ─▶ wind down ─▶ cleanups ─▶ result
 *   (boot system,       │                              │ abort (Ctrl-C), a child dies, a worker fails:
 *    or check the       │                              │ the load stops early, what was measured is kept
 *    external target)   └─ every /metrics read bounded in time and size: never holds up the end
 *
 * Rejects only when nothing was measured because the run could not start (the system failed to
 * boot, the target is unreachable); every later failure is returned with the result measured so far.
 */
import {
  LoadAggregate,
  probeTarget,
  type JourneyAggregate,
  runLoad,
  sideRequestReach,
  type LoadOutcome,
  type TransportSpec,
} from '../load/index.js';
import { formatLatencyLog } from '../results/index.js';
import type {
  ConnectionsRecord,
  Environment,
  PhaseRecord,
  ResultDocument,
  ShardRecord,
} from '../results/index.js';
import { encodeHistogram } from '../metrics/index.js';
import { scenarioIdentity, type LabPlan, type RunPlan } from '../scenario/index.js';
import { isLoadlabError, loadlabError, type LoadlabError } from '../shared/index.js';
import {
  createMetricsClient,
  parsePromText,
  readMetrics,
  sumSamples,
  type MetricsReach,
} from '../telemetry/index.js';
import { assembleResult, type RunFacts } from './assemble-result.js';
import { describeExit } from './child-process.js';
import { CleanupStack } from './cleanup-stack.js';
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
      /** The last whole second's own figures (the one `rps` and `p99Ms` describe), once it has any. */
      second?: {
        t: number;
        requests: number;
        errors: number;
        errorsByKind: Record<string, number>;
        latencyMs: { p50: number; p99: number };
      };
    };

/** The runtime handles a run uses; everything about what to run is in the {@link LabPlan}. */
export interface LabHandles {
  /** How to start child processes. */
  runtime: ProcessRuntime;
  /** Recorded in the result. */
  environment: Environment;
  /** Aborting stops the run early; what was measured is kept. A string reason becomes the result's `abortReason`. */
  signal: AbortSignal;
  onEvent?: (event: LabEvent) => void;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
  /**
   * Agrees the load's time zero with others (a duet's other variant, a shard's siblings): called
   * once the target is ready with the earliest time zero this run could take (ms since the Unix
   * epoch); resolves with the one to use, not earlier than that. Default: the earliest.
   */
  startAt?: (earliestEpochMs: number) => Promise<number>;
}

export interface LabOutcome {
  result: ResultDocument;
  /** The run's latency as an HdrHistogram interval log (one interval per second), when load ran. */
  latencyLog?: string;
  /** Set when the run could not be carried out to its end for a reason other than an interrupt. */
  failure?: LoadlabError;
}

/** What the load stage hands on: the runner's outcome, placed in time. */
interface DrivenLoad extends LoadOutcome {
  transport: TransportSpec;
  aggregate: LoadAggregate;
  phases: PhaseRecord[];
  startEpochMs: number;
  endEpochMs: number;
  /** When the run was ready to start its load, and the start the `startAt` handle gave (ms since the epoch). */
  readyEpochMs: number;
  agreedEpochMs: number;
}

/** Runs one plan. See the module comment for what it rejects on. */
export async function runLab(plan: LabPlan, handles: LabHandles): Promise<LabOutcome> {
  const now = handles.now ?? Date.now;
  const emit = handles.onEvent ?? (() => {});
  const cleanups = new CleanupStack();
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(handles.signal.reason);
  handles.signal.addEventListener('abort', onOuterAbort, { once: true });
  cleanups.push('abort listener', () => handles.signal.removeEventListener('abort', onOuterAbort));
  let failure: LoadlabError | undefined;
  const fail = (error: LoadlabError) => {
    failure ??= error;
    abort.abort(error);
  };
  const startedAtMs = now();
  let load: DrivenLoad | undefined;
  let system: RunningSystem | undefined;
  let telemetry: TelemetryCollector | undefined;
  let schedule: FaultSchedule | undefined;
  try {
    let targetUrl: string;
    let transport: TransportSpec;
    if (plan.target.kind === 'external') {
      const probed = await probeTarget(
        {
          url: plan.target.url,
          protocol: plan.scenario.load.protocol ?? 'h1',
          ...plan.target.transport,
          ...h2Of(plan),
        },
        plan.timeouts.targetCheckMs,
      );
      transport = probed.transport;
      targetUrl = plan.target.url;
    } else {
      system = await bootSystem(plan, handles, abort.signal, cleanups, fail, emit);
      targetUrl = system.url;
      transport = { url: targetUrl, protocol: 'h1' };
    }
    const faults = plan.load.faults ?? [];
    const adminUrl = plan.target.kind === 'external' ? plan.target.proxyAdminUrl : system?.proxyAdminUrl;
    if (faults.length > 0 && adminUrl === undefined) {
      throw loadlabError('BAD_PLAN', 'the plan has faults but no fault proxy to apply them through');
    }
    const serviceChild = system?.children.find((c) => c.name === 'service');
    const collector = startTelemetryCollector(
      serviceChild
        ? { child: serviceChild }
        : {
            url: targetUrl,
            reach: sideRequestReach(transport),
            scrapeTimeoutMs: plan.timeouts.scrapeMs,
            scrapeMaxBytes: plan.timeouts.scrapeMaxBytes,
          },
    );
    telemetry = collector;
    cleanups.push('telemetry', () => collector.stop());
    if (faults.length > 0 && adminUrl !== undefined) {
      const created = createFaultSchedule({ faults, adminUrl, now });
      schedule = created;
      cleanups.push('fault schedule', () => created.finish());
      await created.prepare();
    }
    load = await driveLoad(plan, transport, abort.signal, emit, now, handles.startAt, (zero) =>
      schedule?.begin(zero),
    );
    if (load.failure !== undefined) fail(load.failure);
  } catch (error) {
    if (load === undefined) {
      await reportCleanups(await cleanups.run(), emit);
      // Interrupted before any load ran: an empty, interrupted result.
      if (handles.signal.aborted) return { result: emptyResult(plan, handles, startedAtMs, now()) };
      throw error;
    }
    fail(asLoadlabError(error));
  }
  if (load === undefined) throw loadlabError('LOAD_FAILED', 'the load ended without an outcome');

  // Wind down: each step guarded, so one failing does not lose what the others gathered.
  const faultRecords = await guarded(() => schedule?.finish(), fail);
  await guarded(() => telemetry?.stop(), fail);
  const serviceCounted =
    failure === undefined
      ? await readServiceCount(targetOf(plan, system), sideRequestReach(load.transport), plan)
      : undefined;
  await reportCleanups(await cleanups.run(), emit);
  const interrupted = handles.signal.aborted;
  const facts = runFacts(plan, handles, load, {
    target: { url: targetOf(plan, system), kind: plan.target.kind },
    interrupted,
    ...(failure === undefined ? {} : { failure }),
    ...(serviceCounted === undefined ? {} : { serviceCounted }),
    faults: faultRecords ?? [],
    connections: connectionsRecord(plan, load),
    ...(telemetry === undefined
      ? {}
      : {
          telemetry: {
            info: telemetry.info(),
            bySecond: telemetry.aligned(
              load.startEpochMs,
              Math.ceil((load.endEpochMs - load.startEpochMs) / 1000),
            ),
          },
        }),
  });
  const result = assembleResult(facts);
  const latencyLog = formatLatencyLog(load.startEpochMs, load.aggregate.windows());
  return failure ? { result, latencyLog, failure } : { result, latencyLog };
}

/**
 * The one place where the load's outcome and the run's circumstances become the facts the result
 * is assembled from.
 */
function runFacts(
  plan: LabPlan,
  handles: LabHandles,
  load: DrivenLoad,
  run: {
    target: RunFacts['target'];
    interrupted: boolean;
    failure?: LoadlabError;
    serviceCounted?: number;
    faults: NonNullable<RunFacts['faults']>;
    connections?: ConnectionsRecord;
    telemetry?: RunFacts['telemetry'];
  },
): RunFacts {
  const abortReason = run.failure
    ? run.failure.message
    : run.interrupted
      ? reasonText(handles.signal.reason)
      : undefined;
  return {
    scenario: plan.scenario,
    environment: handles.environment,
    target: run.target,
    startedAtMs: load.startEpochMs,
    endedAtMs: load.endEpochMs,
    loadDurationS: (load.endEpochMs - load.startEpochMs) / 1000,
    phases: load.phases,
    aggregate: load.aggregate,
    sent: load.sent,
    completed: load.completed,
    ...(load.journeys === undefined ? {} : { journeys: load.journeys }),
    unanswered: load.unanswered,
    ...(plan.load.open === undefined
      ? {}
      : { open: { dropped: load.dropped, planned: load.planned, lag: load.lag } }),
    interrupted: run.interrupted,
    ...(abortReason === undefined ? {} : { abortReason }),
    ...(run.failure === undefined
      ? {}
      : { failure: { code: run.failure.code, message: run.failure.message } }),
    ...(run.serviceCounted === undefined ? {} : { serviceCounted: run.serviceCounted }),
    faults: run.faults,
    ...(run.connections === undefined ? {} : { connections: run.connections }),
    ...(run.telemetry === undefined ? {} : { telemetry: run.telemetry }),
    ...(plan.load.shard === undefined ? {} : { shard: shardRecord(plan, load) }),
  };
}

/** A shard's record of itself: which share, of which scenario, started when by its own clock. */
function shardRecord(plan: LabPlan, load: DrivenLoad): ShardRecord {
  const { index, count } = plan.load.shard ?? { index: 0, count: 1 };
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    index,
    count,
    scenarioId: scenarioIdentity(plan.scenario),
    plannedMs: plan.load.totalMs,
    startAt: iso(load.agreedEpochMs),
    clock: {
      readyAt: iso(load.readyEpochMs),
      startedAt: iso(load.startEpochMs),
      offsetMs: load.startEpochMs - load.agreedEpochMs,
    },
    ...(load.aggregate.serviceTotal === undefined
      ? {}
      : { serviceHistogram: encodeHistogram(load.aggregate.serviceTotal) }),
    ...(plan.load.open === undefined
      ? {}
      : { planned: load.planned, lagHistogram: encodeHistogram(load.lag) }),
    ...(load.journeys === undefined ? {} : journeyHistograms(load.journeys)),
  };
}

/** A flow shard's step and journey histograms, for the exact merge of `steps[]` and `journeys[]`. */
function journeyHistograms(journeys: JourneyAggregate): Pick<ShardRecord, 'steps' | 'journeyHistograms'> {
  return {
    steps: journeys.steps.map((step) => ({
      seconds: [...step.windows()].map(({ t, histogram }) => ({ t, histogram: encodeHistogram(histogram) })),
      ...(step.serviceTotal === undefined ? {} : { serviceHistogram: encodeHistogram(step.serviceTotal) }),
    })),
    journeyHistograms: journeys.flows.map((flow) => encodeHistogram(flow.durations)),
  };
}

/** The scenario's HTTP/2 settings, as the transport takes them. */
function h2Of(plan: LabPlan): Pick<TransportSpec, 'h2'> {
  const h2 = plan.scenario.load.h2;
  return h2 === undefined ? {} : { h2: { connections: h2.connections } };
}

/** How the load reached the target, for the result: the protocol spoken and asked, TLS, and the connections' figures. */
function connectionsRecord(plan: LabPlan, load: DrivenLoad): ConnectionsRecord {
  const tls = load.transport.url.startsWith('https:');
  const insecure = plan.target.kind === 'external' && plan.target.transport?.tls?.insecure === true;
  return {
    protocol: load.transport.protocol,
    asked: plan.scenario.load.protocol ?? 'h1',
    tls,
    ...(tls && insecure ? { insecure: true as const } : {}),
    ...load.connections,
  };
}

/** Boots the reference system, registers its stop, and watches its children for an early death. */
async function bootSystem(
  plan: LabPlan,
  handles: LabHandles,
  signal: AbortSignal,
  cleanups: CleanupStack,
  fail: (error: LoadlabError) => void,
  emit: (e: LabEvent) => void,
): Promise<RunningSystem> {
  if (plan.target.kind !== 'reference') throw new Error('bootSystem: the plan has an external target');
  const system = await startSystem(
    {
      knobs: plan.target.service,
      db: plan.target.dependencies.db,
      recommendations: plan.target.dependencies.recommendations,
      seed: plan.seed,
      readyTimeoutMs: plan.timeouts.readyMs,
    },
    handles.runtime,
    signal,
    (message) => emit({ type: 'status', message }),
  );
  let stopping = false;
  cleanups.push('system', async () => {
    stopping = true;
    await system.stop();
  });
  for (const child of system.children) {
    void child.exited.then((e) => {
      if (stopping || signal.aborted) return;
      fail(
        loadlabError('CHILD_FAILED', `the ${child.name} process died during the run (${describeExit(e)})`, {
          problems: child.lastLines(),
        }),
      );
    });
  }
  return system;
}

function targetOf(plan: LabPlan, system: RunningSystem | undefined): string {
  return plan.target.kind === 'external' ? plan.target.url : (system?.url ?? '');
}

/** Runs `step`; a failure becomes the run's failure (if it has none yet) instead of ending the wind-down. */
async function guarded<T>(
  step: () => Promise<T> | T,
  fail: (error: LoadlabError) => void,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    fail(asLoadlabError(error));
    return undefined;
  }
}

function asLoadlabError(error: unknown): LoadlabError {
  if (isLoadlabError(error)) return error;
  return loadlabError('LOAD_FAILED', `the run failed: ${(error as Error).message ?? String(error)}`, {
    cause: error,
  });
}

async function reportCleanups(
  problems: { name: string; error: unknown }[],
  emit: (e: LabEvent) => void,
): Promise<void> {
  for (const p of problems) {
    emit({
      type: 'status',
      message: `stopping the ${p.name} failed: ${(p.error as Error).message ?? p.error}`,
    });
  }
}

function reasonText(reason: unknown): string {
  return typeof reason === 'string' && reason !== '' ? reason : 'stopped by its caller';
}

async function driveLoad(
  plan: LabPlan,
  transport: TransportSpec,
  signal: AbortSignal,
  emit: (e: LabEvent) => void,
  now: () => number,
  startAt: LabHandles['startAt'],
  onZero: (startEpochMs: number) => void = () => {},
): Promise<DrivenLoad> {
  const runPlan = plan.load;
  const targetUrl = transport.url;
  const totalS = runPlan.totalMs / 1000;
  const phaseStarts = new Map<number, number>();
  let currentPhase = runPlan.phases[0]?.name ?? '';
  const aggregate = new LoadAggregate();
  let ticker: NodeJS.Timeout | undefined;
  // Time zero is chosen once every worker thread is up (modules loaded, request mix compiled): a
  // little ahead of then, so the start reaches them all before the first request is due; further
  // for the open model, whose first requests would otherwise be sent late.
  let earliest = now();
  let agreed = earliest;
  const zeroAt = async (readyEpochMs: number): Promise<number> => {
    earliest = readyEpochMs + (runPlan.open === undefined ? 100 : 250);
    agreed = startAt === undefined ? earliest : await startAt(earliest);
    if (agreed - earliest > 1000) {
      emit({
        type: 'status',
        message: `load starts at ${new Date(agreed).toISOString()}, in ${((agreed - now()) / 1000).toFixed(1)} s`,
      });
    }
    if (signal.aborted) throw loadlabError('INTERRUPTED', 'the run was stopped before its load started');
    const zero = Math.max(agreed, earliest);
    onZero(zero);
    emit({ type: 'load-started', targetUrl, totalS });
    const tick = (): void => {
      const elapsedS = Math.max(0, (now() - zero) / 1000);
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
        ...(runPlan.open === undefined ? {} : { dropped: aggregate.dropped }),
        ...(last === undefined
          ? {}
          : {
              second: {
                t: last.t,
                requests: last.requests,
                errors: last.errors,
                errorsByKind: last.errorsByKind,
                latencyMs: { p50: last.latencyMs.p50, p99: last.latencyMs.p99 },
              },
            }),
      });
    };
    // Progress ticks on the load's clock, 300 ms into each second: by then the workers (which post
    // every 250 ms) have sent the second just ended, which is what a tick shows.
    ticker = setTimeout(
      () => {
        tick();
        ticker = setInterval(tick, 1000);
      },
      Math.max(0, zero + 1300 - now()),
    );
    return zero;
  };
  try {
    const outcome = await runLoad({
      plan: runPlan,
      requests: plan.requests.specs,
      ...(plan.requests.flows === undefined ? {} : { flows: plan.requests.flows }),
      targetUrl,
      transport,
      seed: plan.seed,
      timeoutMs: plan.timeouts.requestMs,
      startEpochMs: earliest,
      zeroAt,
      signal,
      baseDir: plan.requests.baseDir,
      onPhase: (index) => {
        const p = runPlan.phases[index];
        if (p === undefined) return;
        phaseStarts.set(index, now());
        currentPhase = p.name;
        emit({ type: 'phase', index, name: p.name });
      },
      aggregate,
    });
    // Stopped while the workers were starting: no load ran.
    if (ticker === undefined && outcome.failure === undefined) {
      throw loadlabError('INTERRUPTED', 'the run was stopped before its load started');
    }
    const { startEpochMs } = outcome;
    const endEpochMs = Math.min(now(), startEpochMs + runPlan.totalMs);
    return {
      ...outcome,
      transport,
      aggregate,
      phases: actualPhases(runPlan, phaseStarts, startEpochMs, endEpochMs),
      startEpochMs,
      endEpochMs,
      readyEpochMs: earliest,
      agreedEpochMs: agreed,
    };
  } finally {
    if (ticker !== undefined) clearTimeout(ticker);
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

/**
 * Requests the service counted on its user-facing routes, from its /metrics
 * (`http_requests_total` without /metrics, /health and /ready); undefined when it has none or
 * the read fails its deadline or size cap: the result then says nothing of it.
 */
async function readServiceCount(
  url: string,
  reach: MetricsReach,
  plan: LabPlan,
): Promise<number | undefined> {
  const client = createMetricsClient(url, reach, plan.timeouts.finalCountMs);
  let read;
  try {
    read = await readMetrics(
      url,
      { deadlineMs: plan.timeouts.finalCountMs, maxBytes: plan.timeouts.scrapeMaxBytes },
      { dispatcher: client, ...(reach.headers === undefined ? {} : { headers: reach.headers }) },
    );
  } finally {
    // destroy, not close: never wait on a target that is slow to let go.
    await client.destroy();
  }
  if (!read.ok || read.status !== 200) return undefined;
  const samples = parsePromText(read.text);
  if (!samples.some((s) => s.name === 'http_requests_total')) return undefined;
  return sumSamples(
    samples,
    'http_requests_total',
    (l) => !['/metrics', '/health', '/ready'].includes(l.route ?? ''),
  );
}

function emptyResult(
  plan: LabPlan,
  handles: LabHandles,
  startedAtMs: number,
  endedAtMs: number,
): ResultDocument {
  return assembleResult({
    scenario: plan.scenario,
    environment: handles.environment,
    target: { url: plan.target.kind === 'external' ? plan.target.url : '', kind: plan.target.kind },
    startedAtMs,
    endedAtMs,
    loadDurationS: 0,
    phases: [],
    aggregate: new LoadAggregate(),
    sent: 0,
    completed: 0,
    interrupted: true,
    abortReason: `${reasonText(handles.signal.reason)}, before the load started`,
  });
}
