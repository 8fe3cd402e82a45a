/**
 * Drives a plan's load from worker threads and merges what they measure. The orchestrator's
 * own event loop sends no request: it only starts workers, merges windows and reports progress.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { arrivalLane, shareOf, type RunPlan } from '../scenario/index.js';
import type { FlowSpec, RequestSpec } from '../scenario/index.js';
import { JourneyAggregate } from './journey-aggregate.js';
import {
  createLatencyHistogram,
  decodeHistogram,
  mergeHistograms,
  type LatencyHistogram,
} from '../metrics/index.js';
import { loadlabError, type LoadlabError } from '../shared/index.js';
import { entries } from '../shared/index.js';
import type { LoadAggregate } from './aggregate.js';
import { ConnectionStatsMerger, type ConnectionsSummary } from './connection-stats.js';
import type { OrchestratorMessage, WorkerInit, WorkerMessage, WorkerPhase } from './protocol.js';
import type { TransportSpec } from './transport.js';

export interface LoadOptions {
  plan: RunPlan;
  requests: RequestSpec[];
  /** User journeys (the journey engine runs, the requests as one-step flows); absent: the plain mix. */
  flows?: FlowSpec[];
  targetUrl: string;
  /** How to reach the target; absent: HTTP/1.1 to `targetUrl` with no extra headers. */
  transport?: TransportSpec;
  seed: number;
  timeoutMs: number;
  /**
   * The earliest time zero, ms since the Unix epoch. The workers start first and say when they are
   * ready; zero is then `zeroAt(ready)` or, without it, the later of this and {@link START_LEAD_MS}
   * after the last worker was ready, so no worker starts behind its schedule.
   */
  startEpochMs: number;
  /**
   * Chooses time zero once every worker is ready (`readyEpochMs`: when the last one was), e.g. a
   * start line shared with other runs; a rejection stops the workers, and `runLoad` rejects with it.
   */
  zeroAt?: (readyEpochMs: number) => number | Promise<number>;
  /** Aborting stops the load early; what was measured is kept. */
  signal: AbortSignal;
  /** Called when a worker enters a phase (once per phase, by the first worker to reach it). */
  onPhase?: (index: number) => void;
  /** Receives every worker's windows as they arrive, so progress can be read while the load runs. */
  aggregate: LoadAggregate;
  /** Folder that CSV files named in request templates are relative to (the scenario file's; default the working folder). */
  baseDir?: string;
}

/**
 * What the workers counted, summed. Every request sent is answered, failed without an answer, or
 * still unanswered when the load stopped: `sent = responses + transportErrors + unanswered`.
 */
export interface LoadOutcome {
  /** The run's time zero as it was chosen, ms since the Unix epoch. */
  startEpochMs: number;
  sent: number;
  /** Answers received, any status (4xx/5xx included). */
  responses: number;
  /** Requests that failed without an answer (timeout, reset, refused, other). */
  transportErrors: number;
  /** Requests still in flight when the load stopped waiting for them, counted by the engines one by one. */
  unanswered: number;
  /** Open model: requests due but never sent. */
  dropped: number;
  /** Open model: arrivals the schedule made due. */
  planned: number;
  /** Open model: scheduling lag (send − due, µs) of every worker, merged. */
  lag: LatencyHistogram;
  /** Requests that concluded: responses plus transport errors (each request once). */
  completed: number;
  /** Whether the load stopped before the plan's end. */
  stoppedEarly: boolean;
  /** Connections opened, their connect and TLS times, and HTTP/2 figures, every worker merged. */
  connections: ConnectionsSummary;
  /** With flows: every step's and flow's figures, merged. */
  journeys?: JourneyAggregate;
  /** Set when a worker failed (LOAD_FAILED): the others were stopped, and what they all measured is kept. */
  failure?: LoadlabError;
}

/**
 * The connections of each phase split across `workers` threads as evenly as possible; the rate
 * stays whole, each worker sending its stripe of the arrivals (see `open.lane`).
 */
export function splitPhases(plan: RunPlan, workers: number): WorkerPhase[][] {
  return Array.from({ length: workers }, (_, w) =>
    plan.phases.map((p) => {
      const phase: WorkerPhase = { index: p.index, name: p.name, startMs: p.startMs, endMs: p.endMs };
      if (p.connections !== undefined) phase.connections = shareOf(p.connections, workers, w);
      if (p.rate !== undefined) phase.rate = { ...p.rate };
      return phase;
    }),
  );
}

/** A promise resolved from outside (Node 20 has no `Promise.withResolvers`). */
interface Signalled {
  promise: Promise<void>;
  resolve(): void;
}

function signalled(): Signalled {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Time zero lies this far after the last worker was ready, so the start message reaches them all first. */
export const START_LEAD_MS = 100;

/**
 * Once every worker is ready (or gone), chooses time zero and sends it to them all. Stopped
 * workers (a failure, an abort) are not started: they end without sending.
 */
async function startWorkers(
  options: LoadOptions,
  workers: Worker[],
  readiness: Signalled[],
  outcome: LoadOutcome,
): Promise<void> {
  await Promise.all(readiness.map((r) => r.promise));
  if (outcome.stoppedEarly) return;
  const readyEpochMs = performance.timeOrigin + performance.now();
  const zero =
    options.zeroAt === undefined
      ? Math.max(options.startEpochMs, readyEpochMs + START_LEAD_MS)
      : await options.zeroAt(readyEpochMs);
  outcome.startEpochMs = zero;
  if (outcome.stoppedEarly) return;
  for (const w of workers) w.postMessage({ type: 'start', startEpochMs: zero } satisfies OrchestratorMessage);
}

/** Runs the plan's load to its end or until `signal` aborts or a worker fails (then `failure` is set). */
export async function runLoad(options: LoadOptions): Promise<LoadOutcome> {
  const { plan } = options;
  const maxConnections = Math.max(...plan.phases.map((p) => p.connections ?? 0));
  const workerCount =
    plan.open === undefined
      ? Math.max(1, Math.min(plan.workers, maxConnections))
      : Math.max(1, Math.min(plan.workers, plan.open.maxInFlight));
  const shares = splitPhases(plan, workerCount);
  const { aggregate } = options;
  const seenPhases = new Set<number>();
  const connections = new ConnectionStatsMerger();
  const outcome: LoadOutcome = {
    startEpochMs: options.startEpochMs,
    sent: 0,
    responses: 0,
    transportErrors: 0,
    unanswered: 0,
    dropped: 0,
    planned: 0,
    lag: createLatencyHistogram(),
    completed: 0,
    stoppedEarly: false,
    connections: connections.summary(),
    ...(options.flows === undefined
      ? {}
      : { journeys: new JourneyAggregate(options.requests, options.flows) }),
  };
  const workers: Worker[] = [];
  const readiness = shares.map(() => signalled());
  let starting: Promise<unknown> = Promise.resolve();
  const stopAll = (): void => {
    outcome.stoppedEarly = true;
    for (const w of workers) w.postMessage({ type: 'stop' } satisfies OrchestratorMessage);
  };

  const finished = shares.map(
    (phases, workerIndex) =>
      new Promise<void>((resolve) => {
        const { lane, lanes } = arrivalLane(plan.shard, workerIndex, workerCount);
        const init: WorkerInit = {
          workerIndex: lane,
          workerCount: lanes,
          targetUrl: options.targetUrl,
          ...(options.transport === undefined ? {} : { transport: options.transport }),
          phases,
          requests: options.requests,
          ...(options.flows === undefined ? {} : { flows: options.flows }),
          seed: options.seed,
          timeoutMs: options.timeoutMs,
          reportsCpu: workerIndex === 0,
          ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
          ...(plan.closed === undefined ? {} : { closed: plan.closed }),
          ...(plan.open === undefined
            ? {}
            : {
                open: {
                  arrivals: plan.open.arrivals,
                  maxInFlight: shareOf(plan.open.maxInFlight, workerCount, workerIndex),
                  lane,
                  lanes,
                },
              }),
        };
        const worker = new Worker(entries.loadWorker(), { workerData: init });
        workers.push(worker);
        let failure: LoadlabError | undefined;
        let reported = false;
        worker.on('message', (message: WorkerMessage) => {
          switch (message.type) {
            case 'ready':
              readiness[workerIndex]?.resolve();
              break;
            case 'window':
              aggregate.add(message.t, message.histogram, message, message.serviceHistogram);
              break;
            case 'step-window':
              outcome.journeys?.addWindow(message);
              break;
            case 'generator':
              aggregate.addGenerator(message.t, message.elu, message.cpuPct);
              break;
            case 'phase':
              if (!seenPhases.has(message.index)) {
                seenPhases.add(message.index);
                options.onPhase?.(message.index);
              }
              break;
            case 'done':
              reported = true;
              outcome.sent += message.sent;
              outcome.responses += message.responses;
              outcome.transportErrors += message.transportErrors;
              outcome.unanswered += message.unanswered;
              // A 4xx/5xx answer is a response with an error status: counted once, as a response.
              outcome.completed += message.responses + message.transportErrors;
              outcome.dropped += message.dropped ?? 0;
              outcome.planned += message.planned ?? 0;
              if (message.connections !== undefined) connections.add(message.connections);
              if (message.journeys !== undefined) outcome.journeys?.addTotals(message.journeys);
              if (message.lagHistogram !== undefined) {
                mergeHistograms(outcome.lag, decodeHistogram(message.lagHistogram));
              }
              void worker.terminate();
              break;
            case 'failed':
              failure = loadlabError('LOAD_FAILED', `load worker ${workerIndex} failed: ${message.message}`);
              stopAll();
              void worker.terminate();
              break;
          }
        });
        worker.on('error', (error) => {
          failure = loadlabError('LOAD_FAILED', `load worker ${workerIndex} crashed: ${error.message}`, {
            cause: error,
          });
          stopAll();
        });
        worker.on('exit', (code) => {
          if (failure === undefined && !reported) {
            failure = loadlabError(
              'LOAD_FAILED',
              `load worker ${workerIndex} exited (code ${code}) before reporting what it sent`,
            );
            stopAll();
          }
          outcome.failure ??= failure;
          // A worker gone before it was ready does not hold the others at the start line.
          readiness[workerIndex]?.resolve();
          resolve();
        });
      }),
  );

  if (options.signal.aborted) stopAll();
  else options.signal.addEventListener('abort', stopAll, { once: true });
  try {
    starting = startWorkers(options, workers, readiness, outcome);
    starting.catch(() => stopAll());
    await Promise.all(finished);
    await starting;
    outcome.connections = connections.summary();
    return outcome;
  } finally {
    options.signal.removeEventListener('abort', stopAll);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
