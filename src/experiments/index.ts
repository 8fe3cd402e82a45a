/**
 * Many runs: repeats, A/B (duet or interleaved), sweeps over a matrix, capacity search. Each is a
 * pure planner, a thin runner that hands plans to the lab, and a pure verdict over the results.
 */
export {
  nextCapacityStep,
  type CapacityDecision,
  type CapacityOutcome,
  type CapacitySearchOptions,
  type CapacityStep,
} from './capacity-search.js';
export {
  capacityStepPlan,
  capacityStepScenario,
  capacityStepSlo,
  defaultCapacityStep,
  defaultStartRate,
  minSteadyMs,
  stepShapeProblems,
  type CapacityStepShape,
  type CapacityTarget,
} from './capacity-plan.js';
export {
  runCapacitySearch,
  type CapacityEvent,
  type CapacityRunOptions,
  type CapacityRunResult,
} from './capacity-run.js';
export { interleavedOrder, type Trial } from './interleaved-order.js';
export {
  defaultMaxVariants,
  expandMatrix,
  parseMatrixFlag,
  type MatrixAxes,
  type Variant,
} from './matrix.js';
export {
  duetStartOrder,
  runAb,
  type AbEvent,
  type AbMode,
  type AbOptions,
  type AbOutcome,
  type AbSide,
} from './ab.js';
export { runRepeats, type RepeatOptions } from './repeat.js';
export { startBarrier, type StartBarrier } from './start-barrier.js';
export {
  pendingTrials,
  runSweep,
  sweepOrder,
  trialKey,
  type SweepEvent,
  type SweepOptions,
  type SweepOutcome,
  type SweepTrial,
} from './sweep.js';
export {
  planSweep,
  variantDir,
  type MatrixAxis,
  type PlannedVariant,
  type SweepPlanOptions,
} from './sweep-plan.js';
export {
  baseMemoryMiB,
  memoryPerWorkerMiB,
  ratePerCore,
  sizeGenerator,
  type GeneratorSize,
} from './generator-sizing.js';
export {
  collectCommands,
  completionIndexAnnotation,
  k8sManifests,
  resultsMount,
  scenarioMount,
  type K8sObject,
  type K8sRunOptions,
} from './k8s-manifests.js';
