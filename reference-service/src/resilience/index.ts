/**
 * Resilience policies of the reference service. Retry, circuit breaker, timeout and bulkhead are
 * cockatiel's (composed in adapters/recs-client.ts); what cockatiel has no equivalent of lives
 * here: the retry budget, the admission gate, and the mapping of the service's knobs and states.
 */
export { SlidingWindow, type Clock } from './sliding-window.js';
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { createBackoff, type BackoffOptions, type Jitter } from './jitter-backoff.js';
export { breakerStateOf, breakerStateValue, type BreakerState } from './breaker-state.js';
export { createSamplingBreaker, type SamplingBreakerKnobs } from './sampling-breaker.js';
export {
  createAdmissionGate,
  type AdmissionGate,
  type AdmissionGateOptions,
  type ShedReason,
} from './admission-gate.js';
