/**
 * Scenario files: the schema, loading YAML/JSON with `--set` overrides, the run plan and its
 * description, and the JSON Schema export. Other modules import from here only.
 */
export { loadScenario, type LoadScenarioOptions, type LoadedScenario } from './load-scenario.js';
export { applyOverrides, type FlagOverride, type OverrideInput } from './overrides.js';
export {
  buildPlan,
  plannedArrivals,
  type OpenPlanOptions,
  type PhaseRate,
  type PlanOptions,
  type PlannedPhase,
  type RunPlan,
} from './plan.js';
export {
  defaultLabTimeouts,
  planRun,
  runPlanProblems,
  type LabPlan,
  type LabTarget,
  type LabTimeouts,
  type RunPlanOptions,
  type TargetTransport,
} from './run-plan.js';
export {
  arrivalLane,
  maxShards,
  ownsArrival,
  shardPlan,
  shardProblems,
  shareOf,
  type ShardSpec,
} from './shard-plan.js';
export { scenarioIdentity } from './scenario-identity.js';
export { describePlan } from './describe-plan.js';
export { describeFaults, planFaults, type FaultToxic, type PlannedFault } from './fault-plan.js';
export type { FaultSpec } from './faults-schema.js';
export { formatZodIssues, type IssueSource, type ProblemOrigin } from './format-issues.js';
export { scenarioJsonSchema } from './json-schema.js';
export {
  scenarioSchema,
  type CaptureSource,
  type CheckSpec,
  type FlowSpec,
  type StepSpec,
  type StepThinkInput,
  type RequestSpec,
  type Scenario,
  type ScenarioInput,
  type Slo,
  type SloEntry,
} from './schema.js';
export { sloEntries } from './slo-schema.js';
export { faultNames } from './faults-schema.js';
export { flowName, flowSchema, stepName, stepNames } from './flow-schema.js';
export { matrixModeSchema, matrixSchema, type MatrixInput } from './matrix-schema.js';
