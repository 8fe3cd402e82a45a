/**
 * Sets up the journey engine in a load worker: compiles the flows (the plain requests as one-step
 * flows first) against one variables holder, imports every module step's function, and makes
 * the engine of the run's model. Module imports happen here, in the load worker, once.
 */
import { createRandom, deriveSeed } from '../../protocol/index.js';
import { CsvRows } from './csv-rows.js';
import { compileFlows, flowsOf, type CompiledStep, type StepModuleFunction } from './flow-compile.js';
import { importStepModule, resolveModulePath } from './flow-problems.js';
import type { ConnectionTarget } from './http-connection.js';
import { connectionTarget, type TransportSpec } from './transport.js';
import { JourneyClosedEngine } from './journey-closed-engine.js';
import { JourneyFigures } from './journey-figures.js';
import { JourneyOpenEngine } from './journey-open-engine.js';
import { JourneySteps } from './journey-steps.js';
import type { StartedWorker } from './protocol.js';
import { thinkTimeSampler } from './think-time.js';
import type { JourneyVars } from './value-generators.js';
import { loadlabError } from '../shared/index.js';
import type { WindowRecorder } from './window-recorder.js';

/** What the worker runs and reads back. */
export interface JourneyRun {
  engine: JourneyClosedEngine | JourneyOpenEngine;
  figures: JourneyFigures;
}

export async function startJourneys(
  init: StartedWorker,
  common: {
    target: ConnectionTarget;
    hostHeader: string;
    recorder: WindowRecorder;
    makeRecorder: () => WindowRecorder;
    onPhase: (index: number) => void;
  },
): Promise<JourneyRun> {
  const seed = (stream: string) => createRandom(deriveSeed(init.seed, `${stream}-${init.workerIndex}`));
  const vars: JourneyVars = { current: {} };
  const problems: string[] = [];
  const specs = flowsOf(init.requests, init.flows ?? []);
  const flows = compileFlows(
    specs,
    seed('worker'),
    {
      ...(init.baseDir === undefined ? {} : { baseDir: init.baseDir }),
      rows: new CsvRows({ index: init.workerIndex, count: init.workerCount }),
      vars,
    },
    problems,
    (file) => resolveModulePath(file, init.baseDir),
  );
  if (problems.length > 0) throw loadlabError('SCENARIO_INVALID', `load.flows: ${problems.join('; ')}`);
  const modules = new Map<CompiledStep, StepModuleFunction>();
  for (const step of flows.flatMap((f) => f.steps)) {
    if (step.module === undefined) continue;
    const fn = await importStepModule(step.module.path, step.module.exportName);
    if (typeof fn === 'string') throw loadlabError('SCENARIO_INVALID', `${step.module.file} ${fn}`);
    modules.set(step, fn as unknown as StepModuleFunction);
  }
  const figures = new JourneyFigures(flows, common.makeRecorder);
  const steps = new JourneySteps({
    flows,
    figures,
    hostHeader: common.hostHeader,
    random: seed('flows'),
    vars,
    modules,
  });
  const shared = {
    target: common.target,
    phases: init.phases,
    steps,
    figures,
    timeoutMs: init.timeoutMs,
    startEpochMs: init.startEpochMs,
    recorder: common.recorder,
    onPhase: common.onPhase,
  };
  const engine =
    init.open === undefined
      ? new JourneyClosedEngine({
          ...shared,
          thinkTime: thinkTimeSampler(init.closed?.thinkTime, seed('think')),
        })
      : new JourneyOpenEngine({
          ...shared,
          open: init.open,
          // One sequence for every lane, as the plain open engine: each keeps its stripe of the arrivals.
          random: createRandom(deriveSeed(init.seed, 'arrivals')),
        });
  return { engine, figures };
}

/**
 * Where the journey engine connects: it speaks HTTP/1.1 over plain TCP only (the run's plan refuses
 * flows with TLS or HTTP/2; this guards the worker all the same).
 */
export function journeyTarget(spec: TransportSpec): ConnectionTarget {
  const url = new URL(spec.url);
  if (spec.protocol !== 'h1' || url.protocol !== 'http:') {
    throw loadlabError(
      'BAD_PLAN',
      `load.flows: journeys speak plain HTTP/1.1 only, not ${spec.protocol} to ${url.protocol}//`,
    );
  }
  return connectionTarget(url);
}
