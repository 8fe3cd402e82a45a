export { runLab, type LabEvent, type LabHandles, type LabOutcome } from './run-lab.js';
export { CleanupStack, type CleanupProblem } from './cleanup-stack.js';
export { startSystem, type ProcessRuntime, type RunningSystem, type SystemSpec } from './system.js';
export {
  startChild,
  describeExit,
  type ChildSpec,
  type RunningChild,
  type ChildExit,
} from './child-process.js';
export { assembleResult, type RunFacts } from './assemble-result.js';
export { judgeGenerator, type GeneratorEvidence } from './generator-check.js';
export {
  startFaultProxy,
  type ProxiedDependency,
  type RunningFaultProxy,
  type Upstream,
} from './fault-proxy.js';
export { createFaultSchedule, type FaultSchedule, type FaultScheduleOptions } from './fault-schedule.js';
export { mergeShards, type MergedRun, type ShardInput } from './merge-shards.js';
