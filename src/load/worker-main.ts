/**
 * A load worker thread: runs the closed model with autocannon, one autocannon instance per
 * phase, or the open model with {@link OpenEngine}, and posts one-second windows of encoded
 * histograms to the orchestrator.
 *
 *   orchestrator ──workerData (WorkerInit)──▶ worker
 *        ▲                                      │ phase i: autocannon(connections, until endMs)
 *        └──── window / phase / done ◀──────────┘ every 250 ms: windows the clock has left
 */
import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createRandom, deriveSeed } from '../shared/random.js';
import { statusErrorKind, transportErrorKind } from './error-kind.js';
import type { OrchestratorMessage, WorkerInit, WorkerMessage, WorkerPhase } from './protocol.js';
import { OpenEngine } from './open-engine.js';
import { compileRequestMix } from './request-mix.js';
import { WindowRecorder } from './window-recorder.js';

/** autocannon's result when it is not aggregated (always so in a worker thread). */
interface RawResult {
  totalRequests: number;
}

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('worker-main.ts must run as a worker thread');

const now = (): number => performance.timeOrigin + performance.now();
const runEndMs = Math.max(...init.phases.map((p) => p.endMs));
const recorder = new WindowRecorder(init.startEpochMs, now, Math.max(0, Math.ceil(runEndMs / 1000) - 1));
const mix = compileRequestMix(
  init.requests,
  createRandom(deriveSeed(init.seed, `worker-${init.workerIndex}`)),
);
const state = {
  stopped: false,
  current: undefined as autocannon.Instance | undefined,
  open: undefined as OpenEngine | undefined,
  wake: () => {},
};
const totals = { sent: 0, responses: 0, errors: 0 };

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

function flush(all: boolean): void {
  for (const w of recorder.flush(all)) post({ type: 'window', ...w });
}

port.on('message', (message: OrchestratorMessage) => {
  if (message.type === 'stop') {
    state.stopped = true;
    state.current?.stop();
    state.open?.stop();
    state.wake();
  }
});

/** Waits until the run's clock reaches `epochMs`, or the run is stopped. */
function waitUntil(epochMs: number): Promise<void> {
  const delay = epochMs - now();
  if (delay <= 0 || state.stopped) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    function done(): void {
      clearTimeout(timer);
      state.wake = () => {};
      resolve();
    }
    state.wake = done;
  });
}

function runPhase(start: typeof autocannon, phase: WorkerPhase): Promise<void> {
  const durationS = (init.startEpochMs + phase.endMs - now()) / 1000;
  const connections = phase.connections ?? 0;
  if (durationS <= 0 || connections === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const instance = start(
      {
        url: init.targetUrl,
        connections,
        duration: durationS,
        timeout: Math.max(1, Math.ceil(init.timeoutMs / 1000)),
        // Inside a worker thread autocannon hands back its raw counters; we only need those.
        skipAggregateResult: true,
        requests: [
          {
            setupRequest: (req) => {
              const next = mix.next();
              return {
                ...req,
                method: next.method as autocannon.Request['method'],
                path: next.path,
                headers: { ...req.headers, ...next.headers },
                body: next.body,
              };
            },
          },
        ],
      },
      (err, result) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else {
          totals.sent += (result as unknown as RawResult).totalRequests;
          resolve();
        }
      },
    );
    state.current = instance;
    instance.on('response', (_client, statusCode, resBytes, responseTime) => {
      totals.responses++;
      const kind = statusErrorKind(statusCode);
      if (kind !== undefined) totals.errors++;
      recorder.response(responseTime, resBytes, kind);
    });
    instance.on('reqError', (error) => {
      totals.errors++;
      recorder.failure(transportErrorKind(error));
    });
  });
}

type Done = Extract<WorkerMessage, { type: 'done' }>;

async function runClosed(): Promise<Done> {
  // Loaded only for the closed model: it is slow to import, and the open model's start is timed.
  const start = (await import('autocannon')).default;
  for (const phase of init.phases) {
    await waitUntil(init.startEpochMs + phase.startMs);
    if (state.stopped) break;
    post({ type: 'phase', index: phase.index });
    await runPhase(start, phase);
    state.current = undefined;
    if (state.stopped) break;
  }
  return { type: 'done', ...totals };
}

async function runOpen(open: NonNullable<WorkerInit['open']>): Promise<Done> {
  const engine = new OpenEngine({
    targetUrl: init.targetUrl,
    phases: init.phases,
    mix,
    open,
    random: createRandom(deriveSeed(init.seed, `arrivals-${init.workerIndex}`)),
    timeoutMs: init.timeoutMs,
    startEpochMs: init.startEpochMs,
    recorder,
    onPhase: (index) => post({ type: 'phase', index }),
  });
  state.open = engine;
  if (state.stopped) engine.stop();
  return { type: 'done', ...(await engine.run()) };
}

async function main(): Promise<void> {
  const ticker = setInterval(() => flush(false), 250);
  let done: Done;
  try {
    done = init.open === undefined ? await runClosed() : await runOpen(init.open);
  } finally {
    clearInterval(ticker);
    flush(true);
  }
  post(done);
}

main().catch((error: unknown) => {
  flush(true);
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
});
