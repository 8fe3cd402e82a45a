/**
 * Messages between the orchestrator and its load worker threads. Histograms cross the thread
 * boundary in their compressed HdrHistogram encoding and are merged exactly on arrival.
 */
import type { RequestSpec } from '../scenario/schema.js';

/** One phase as a worker runs it: its share of the connections, and its times on the run's clock. */
export interface WorkerPhase {
  index: number;
  name: string;
  startMs: number;
  endMs: number;
  connections: number;
}

/** What a worker is started with (its `workerData`). */
export interface WorkerInit {
  workerIndex: number;
  targetUrl: string;
  phases: WorkerPhase[];
  requests: RequestSpec[];
  seed: number;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
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
}

export type WorkerMessage =
  | ({ type: 'window'; t: number; histogram: string } & WindowCounts)
  | { type: 'phase'; index: number }
  | { type: 'done'; sent: number; responses: number; errors: number }
  | { type: 'failed'; message: string };

export type OrchestratorMessage = { type: 'stop' };
