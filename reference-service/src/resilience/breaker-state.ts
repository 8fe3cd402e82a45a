/**
 * The recommendations breaker's state as the service reports it, mapped from cockatiel's
 * `CircuitState` (whose Closed/Open/HalfOpen are 0/1/2 too; Isolated, which the service never
 * uses, reads as open: no call goes through).
 */
import { CircuitState } from 'cockatiel';

/** Where the breaker stands; `recs_breaker_state` exports it as 0, 1, 2 in this order. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The numeric value of each state in the `recs_breaker_state` gauge. */
export const breakerStateValue: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  open: 1,
  'half-open': 2,
};

/** The {@link BreakerState} of a cockatiel circuit state. */
export function breakerStateOf(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}
