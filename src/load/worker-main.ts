/**
 * A load worker thread: runs the closed model with {@link ClosedEngine} or the open model with
 * {@link OpenEngine}, both over raw keep-alive sockets, and posts one-second windows of encoded
 * histograms, and one-second samples of its own event-loop utilisation (and, from worker 0, the
 * process's CPU), to the orchestrator.
 *
 *   orchestrator ──workerData (WorkerInit)──▶ worker: modules loaded, request mix compiled
 *        ◀──────────────── ready ───────────────┘
 *        ── start (time zero, once all are ready) ▶ engine: phases on the run's clock
 *        ◀── window / generator / phase / done ──┘ every 250 ms: windows the clock has left
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { ClosedEngine } from './closed-engine.js';
import { ConnectionStats } from './connection-stats.js';
import { CsvRows } from './csv-rows.js';
import { GeneratorSampler } from './generator-sampler.js';
import { OpenEngine } from './open-engine.js';
import type { OrchestratorMessage, StartedWorker, WorkerInit, WorkerMessage } from './protocol.js';
import { compileRequestMix } from './request-mix.js';
import { requestSource, statusCheck } from './request-text.js';
import { thinkTimeSampler } from './think-time.js';
import { createConnector, hostHeaderOf, type TransportSpec } from './transport.js';
import { WindowRecorder } from './window-recorder.js';
import { journeyTarget, startJourneys } from './journey-worker.js';
import { JourneyOpenEngine } from './journey-open-engine.js';

const ready = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('worker-main.ts must run as a worker thread');

const now = (): number => performance.timeOrigin + performance.now();
const transport: TransportSpec = ready.transport ?? { url: ready.targetUrl, protocol: 'h1' };
// Everything that takes time and needs no time zero happens before `ready`: the modules are
// loaded by now, and the plain request mix (csv files included) is compiled here.
const mix = ready.flows === undefined ? mixOf(ready) : undefined;
/** The engine, once it exists (a `stop` may arrive before it does). */
const current: { engine?: { stop(): void } } = {};
let stoppedEarly = false;
const started = new Promise<number>((resolve) => {
  port.on('message', (message: OrchestratorMessage) => {
    if (message.type === 'start') resolve(message.startEpochMs);
    else if (current.engine !== undefined) current.engine.stop();
    else {
      // Stopped before the start: the engine stops as soon as it exists, having sent nothing.
      stoppedEarly = true;
      resolve(now());
    }
  });
});
post({ type: 'ready' });
const init: StartedWorker = { ...ready, startEpochMs: await started };

const runEndMs = Math.max(...init.phases.map((p) => p.endMs));
const recorder = new WindowRecorder(init.startEpochMs, now, Math.max(0, Math.ceil(runEndMs / 1000) - 1));
const connectionStats = new ConnectionStats();
const connector = createConnector(transport, connectionStats);
const onPhase = (index: number): void => post({ type: 'phase', index });
// Flows: the journey engine (journey-worker.ts), over plain HTTP/1.1 for now; otherwise the plain
// request mix, untouched.
const journeys =
  init.flows === undefined
    ? undefined
    : await startJourneys(init, {
        target: journeyTarget(transport),
        hostHeader: hostHeaderOf(transport),
        recorder,
        makeRecorder: () => new WindowRecorder(init.startEpochMs, now, recorder.lastSecond),
        onPhase,
      });
const common = {
  connect: connector.connect,
  phases: init.phases,
  nextRequest:
    mix !== undefined
      ? requestSource(mix, {
          protocol: transport.protocol === 'h1' ? 'h1' : 'h2',
          host: hostHeaderOf(transport),
          scheme: transport.protocol === 'h2' ? 'https' : 'http',
          ...(transport.headers === undefined ? {} : { extraHeaders: transport.headers }),
        })
      : () => ({ text: '', index: 0, head: false }),
  checkStatus: statusCheck(init.requests),
  timeoutMs: init.timeoutMs,
  startEpochMs: init.startEpochMs,
  recorder,
  onPhase,
};
const running =
  journeys !== undefined
    ? journeys.engine
    : init.open === undefined
      ? new ClosedEngine({
          ...common,
          pipelining: init.closed?.pipelining ?? 1,
          thinkTime: thinkTimeSampler(
            init.closed?.thinkTime,
            createRandom(deriveSeed(init.seed, `think-${init.workerIndex}`)),
          ),
        })
      : new OpenEngine({
          ...common,
          open: init.open,
          // One sequence for every lane: each keeps its stripe of the same Poisson arrivals.
          random: createRandom(deriveSeed(init.seed, 'arrivals')),
        });
const sampler = new GeneratorSampler({
  startEpochMs: init.startEpochMs,
  ...(init.reportsCpu === true
    ? {
        cpuUsageUs: () => {
          const u = process.cpuUsage();
          return u.user + u.system;
        },
      }
    : {}),
  ...(running instanceof OpenEngine || running instanceof JourneyOpenEngine
    ? { sleptMs: () => running.nappedMs }
    : {}),
  onSample: (sample) => post({ type: 'generator', ...sample }),
});

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

function flush(all: boolean): void {
  for (const w of recorder.flush(all)) post({ type: 'window', ...w });
  for (const w of journeys?.figures.flush(all) ?? []) post({ type: 'step-window', ...w });
}

function mixOf(init: WorkerInit): ReturnType<typeof compileRequestMix> {
  return compileRequestMix(init.requests, createRandom(deriveSeed(init.seed, `worker-${init.workerIndex}`)), {
    ...(init.baseDir === undefined ? {} : { baseDir: init.baseDir }),
    rows: new CsvRows({ index: init.workerIndex, count: init.workerCount }),
  });
}

current.engine = running;
if (stoppedEarly) running.stop();

async function main(): Promise<void> {
  const ticker = setInterval(() => flush(false), 250);
  sampler.start();
  let totals;
  try {
    totals = await running.run();
  } finally {
    clearInterval(ticker);
    sampler.stop();
    connector.close();
    flush(true);
  }
  post({
    type: 'done',
    ...totals,
    connections: connectionStats.toMessage(),
    ...(journeys === undefined ? {} : { journeys: journeys.figures.totals() }),
  });
}

main().catch((error: unknown) => {
  flush(true);
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
});
