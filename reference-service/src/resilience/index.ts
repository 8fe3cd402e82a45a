/** Resilience policies of the reference service: retry budget, backoff, circuit breaker, admission. */
export { SlidingWindow, type Clock } from './sliding-window.js';
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { createBackoff, type BackoffOptions, type Jitter } from './backoff.js';
export {
  breakerStateValue,
  createCircuitBreaker,
  type BreakerState,
  type BreakerTicket,
  type CircuitBreaker,
  type CircuitBreakerOptions,
} from './circuit-breaker.js';
export {
  createAdmissionGate,
  type AdmissionGate,
  type AdmissionGateOptions,
  type ShedReason,
} from './admission-gate.js';
export { createBulkhead, type Bulkhead } from './bulkhead.js';
