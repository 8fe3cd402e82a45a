/**
 * A target that stopped answering before the load ended. A closed model sends nothing while its
 * connections wait, so a run whose target fell silent holds few requests from the silent seconds:
 * the ones still waiting (recorded unanswered, at their age) may be under 1% of the run and leave
 * its p99 and error rate looking fine. A run-wide SLO cannot hold over such a run.
 */
import type { ResultDocument, SloCheck } from '../results/index.js';

/** Whole seconds at the end of the load in which the target answered nothing while requests waited. */
export function silentTailS(result: Pick<ResultDocument, 'series' | 'summary' | 'interrupted'>): number {
  if ((result.summary.unanswered ?? 0) === 0) return 0;
  let seconds = 0;
  for (let i = result.series.length - 1; i >= 0; i--) {
    if ((result.series[i]?.requests ?? 0) > 0) break;
    seconds++;
  }
  // An interrupted run's last second is cut short: it proves no silence.
  return result.interrupted ? Math.max(0, seconds - 1) : seconds;
}

/** `checks` (run-wide ones) marked not held, with the reason, when the target fell silent. */
export function failOverSilence(
  checks: SloCheck[],
  result: Pick<ResultDocument, 'series' | 'summary' | 'interrupted'>,
): SloCheck[] {
  const silent = silentTailS(result);
  if (silent < 1) return checks;
  const reason = `the target answered nothing in the last ${silent} s of the load while ${result.summary.unanswered ?? 0} request(s) waited; a closed model sends nothing while it waits, so the figures under-count the silence`;
  return checks.map((c) => ({ ...c, held: false, reason }));
}
