export { LoadAggregate, type SecondFigures } from './aggregate.js';
export { runLoad, splitPhases, START_LEAD_MS, type LoadOptions, type LoadOutcome } from './load-runner.js';
export {
  compileRequestMix,
  requestMixProblems,
  requestTemplateProblems,
  type RequestMix,
  type MixRequest,
} from './request-mix.js';
export {
  transportErrorKind,
  transportErrorKinds,
  statusErrorKind,
  errorKindStep,
  type TransportErrorKind,
} from './error-kind.js';
export type { ConnectionsSummary, H2Settings, StepTimes } from './connection-stats.js';
export { probeTarget, type AskedTransport, type ProbeOutcome } from './target-probe.js';
export { sideRequestReach, type SideRequestReach } from './transport.js';
export type { AskedProtocol, TransportSpec, WireProtocol } from './transport.js';
export { flowProblems, flowModuleProblems, loadInputProblems } from './flow-problems.js';
export { parseJsonPath, readJsonPath, type JsonPath } from './json-path.js';
export { JourneyAggregate, type FlowFigures, type StepInfo } from './journey-aggregate.js';
