export { runLab, type LabEvent, type LabOptions, type LabOutcome } from './run-lab.js';
export { startSystem, type ProcessRuntime, type RunningSystem, type SystemSpec } from './system.js';
export {
  startChild,
  describeExit,
  type ChildSpec,
  type RunningChild,
  type ChildExit,
} from './child-process.js';
export { assembleResult, type RunFacts } from './assemble-result.js';
