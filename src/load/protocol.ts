/**
 * Messages between the orchestrator and its load worker threads. Histograms cross the thread
 * boundary in their compressed HdrHistogram encoding and are merged exactly on arrival.
 */
import type { FlowSpec, RequestSpec } from '../scenario/index.js';
import type { ConnectionStatsMessage } from './connection-stats.js';
import type { JourneyTotals, StepWindow } from './journey-figures.js';
import type { ThinkTimeSpec } from './think-time.js';
import type { TransportSpec } from './transport.js';

/** One phase as a worker runs it: its share of the connections or of the rate, and its times on the run's clock. */
export interface WorkerPhase {
  index: number;
  name: string;
  startMs: number;
  endMs: number;
  /** Closed model: this worker's connections. */
  connections?: number;
  /** Open model: the whole run's arrivals per second, ramped from `from` to `to`; the worker sends its stripe of them. */
  rate?: { from: number; to: number };
}

/** Open-model settings of one worker. */
export interface WorkerOpenOptions {
  arrivals: 'uniform' | 'poisson';
  /** This worker's share of the run's bound on requests in flight. */
  maxInFlight: number;
  /** This worker's stripe of each phase's arrivals: those numbered `lane` modulo `lanes` (every worker of every shard is a lane). */
  lane: number;
  lanes: number;
}

/** Closed-model settings of one worker. */
export interface WorkerClosedOptions {
  /** Requests each connection keeps in flight (1: none pipelined). */
  pipelining: number;
  /** Wait after each answer before the next request; none when absent. */
  thinkTime?: ThinkTimeSpec;
}

/** What a worker is started with (its `workerData`). */
export interface WorkerInit {
  /**
   * The worker's number among every worker of every shard (its lane; the worker's own number
   * when the run is not sharded): it seeds the worker's draws and strides csv rows.
   */
  workerIndex: number;
  /** How many workers all shards have together (csv rows in `seq` order are strided by index / count). */
  workerCount: number;
  targetUrl: string;
  /** How to reach the target (protocol, TLS, extra headers, Host); absent: HTTP/1.1 to `targetUrl` as it is. */
  transport?: TransportSpec;
  phases: WorkerPhase[];
  requests: RequestSpec[];
  /** User journeys: when present the journey engine runs, with `requests` as one-step flows before these. */
  flows?: FlowSpec[];
  seed: number;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
  /** Present for the open model; the closed model runs otherwise. */
  open?: WorkerOpenOptions;
  /** Closed model: pipelining and think time (default: 1, none). */
  closed?: WorkerClosedOptions;
  /** Folder that CSV files named in templates are relative to (the scenario file's; default the working folder). */
  baseDir?: string;
  /** Whether this worker reports the whole process's CPU (one worker does). */
  reportsCpu?: boolean;
}

/** A worker's settings once the orchestrator has told it the run's time zero (its `start` message). */
export interface StartedWorker extends WorkerInit {
  /** The run's time zero, milliseconds since the Unix epoch (performance.timeOrigin + now). */
  startEpochMs: number;
}

/** Counts of one one-second window from one worker. */
export interface WindowCounts {
  /** Responses received (any status). */
  requests: number;
  /** Errors by kind: "4xx", "5xx", "timeout", "reset", "refused", "other". */
  errors: Record<string, number>;
  bytes: number;
  /** Open model: requests due but never sent, counted in the window their phase ended in (absent: none). */
  dropped?: number;
  /**
   * Requests still unanswered when the engine stopped waiting (absent: none). Each is also in
   * `errors.unanswered` and in the latency histogram at its age.
   */
  unanswered?: number;
}

/**
 * What an engine counted over the whole run. Every request sent ends in exactly one of three
 * ways, so `sent = responses + transportErrors + unanswered` holds in both models.
 */
export interface EngineTotals {
  sent: number;
  /** Answers received, any status. */
  responses: number;
  /** Answers whose status was not expected ("4xx", "5xx"): part of `responses`. */
  statusErrors: number;
  /** Requests that failed without an answer: timeout, reset, refused, other. */
  transportErrors: number;
  /** Requests still in flight when the engine stopped waiting for them, counted one by one. */
  unanswered: number;
}

/** What an open-model worker adds to its `done` message. */
export interface OpenTotals {
  /** Requests due but never sent (the bound on in-flight requests held them until their phase ended). */
  dropped: number;
  /** Arrivals the schedule made due in the phases this worker ran. */
  planned: number;
  /** Scheduling lag (send − due, µs) of requests not held back by the bound, encoded. */
  lagHistogram: string;
}

/**
 * From a worker: `ready` once its modules are loaded and its request mix compiled (it then waits
 * for `start`); the rest once the load runs.
 */
export type WorkerMessage =
  | { type: 'ready' }
  | ({ type: 'window'; t: number; histogram: string; serviceHistogram?: string } & WindowCounts)
  | { type: 'phase'; index: number }
  | { type: 'generator'; t: number; elu: number; cpuPct?: number }
  | ({ type: 'step-window' } & StepWindow)
  | ({ type: 'done'; connections?: ConnectionStatsMessage; journeys?: JourneyTotals } & EngineTotals &
      Partial<OpenTotals>)
  | { type: 'failed'; message: string };

/**
 * To a worker: `start` with the run's time zero, chosen once every worker is ready, so none starts
 * behind its schedule; `stop` ends the load early (before `start`: the worker sends nothing and
 * reports zero counts).
 */
export type OrchestratorMessage = { type: 'start'; startEpochMs: number } | { type: 'stop' };
