/**
 * A load worker thread: runs the closed model with {@link ClosedEngine} or the open model with
 * {@link OpenEngine}, both over raw keep-alive sockets, and posts one-second windows of encoded
 * histograms, and one-second samples of its own event-loop utilisation (and, from worker 0, the
 * process's CPU), to the orchestrator.
 *
 *   orchestrator ──workerData (WorkerInit)──▶ worker
 *        ▲                                      │ engine: phases on the run's clock
 *        └── window / generator / phase / done ◀┘ every 250 ms: windows the clock has left
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { ClosedEngine } from './closed-engine.js';
import { CsvRows } from './csv-rows.js';
import { GeneratorSampler } from './generator-sampler.js';
import { OpenEngine } from './open-engine.js';
import type { OrchestratorMessage, WorkerInit, WorkerMessage } from './protocol.js';
import { compileRequestMix } from './request-mix.js';
import { requestSource, statusCheck } from './request-text.js';
import { thinkTimeSampler } from './think-time.js';
import { WindowRecorder } from './window-recorder.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('worker-main.ts must run as a worker thread');

const now = (): number => performance.timeOrigin + performance.now();
const runEndMs = Math.max(...init.phases.map((p) => p.endMs));
const recorder = new WindowRecorder(init.startEpochMs, now, Math.max(0, Math.ceil(runEndMs / 1000) - 1));
const mix = compileRequestMix(
  init.requests,
  createRandom(deriveSeed(init.seed, `worker-${init.workerIndex}`)),
  {
    ...(init.baseDir === undefined ? {} : { baseDir: init.baseDir }),
    rows: new CsvRows({ index: init.workerIndex, count: init.workerCount }),
  },
);
const url = new URL(init.targetUrl);
const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
const common = {
  target,
  phases: init.phases,
  nextRequest: requestSource(mix, url.host),
  checkStatus: statusCheck(init.requests),
  timeoutMs: init.timeoutMs,
  startEpochMs: init.startEpochMs,
  recorder,
  onPhase: (index: number) => post({ type: 'phase', index }),
};
const engine =
  init.open === undefined
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
  ...(engine instanceof OpenEngine ? { sleptMs: () => engine.nappedMs } : {}),
  onSample: (sample) => post({ type: 'generator', ...sample }),
});

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

function flush(all: boolean): void {
  for (const w of recorder.flush(all)) post({ type: 'window', ...w });
}

port.on('message', (message: OrchestratorMessage) => {
  if (message.type === 'stop') engine.stop();
});

async function main(): Promise<void> {
  const ticker = setInterval(() => flush(false), 250);
  sampler.start();
  let totals;
  try {
    totals = await engine.run();
  } finally {
    clearInterval(ticker);
    sampler.stop();
    flush(true);
  }
  post({ type: 'done', ...totals });
}

main().catch((error: unknown) => {
  flush(true);
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
});
