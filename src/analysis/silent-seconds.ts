/**
 * A target that fell silent. A closed model sends nothing while its connections wait, so a run
 * whose target answered nothing for seconds holds only the few requests that waited through them
 * (one per connection), recorded late or unanswered at their age: they may be under 1% of the run
 * and leave its p99 and error rate looking fine. A run-wide SLO cannot hold over such a run.
 */
import type { ResultDocument, SloCheck } from '../results/index.js';

type Run = Pick<ResultDocument, 'series' | 'summary' | 'interrupted'>;

/**
 * The load seconds (series t) in which the target gave no answer at all (no response, no error)
 * while a request waited through the whole second: one answered, or recorded unanswered, in a later
 * second q with a latency of at least q + 1 − t seconds was sent by t and still waiting at t + 1.
 */
export function silentSeconds(result: Run): number[] {
  const series = result.series;
  // An interrupted run's last second is cut short: it proves no silence.
  const judged = result.interrupted ? series.slice(0, -1) : series;
  const silent: number[] = [];
  for (const p of judged) {
    if (p.requests > 0 || p.errors > 0) continue;
    const waited = series.some((q) => q.t > p.t && q.latencyMs.max >= (q.t + 1 - p.t) * 1000);
    if (waited) silent.push(p.t);
  }
  return silent;
}

/** `checks` (run-wide ones) marked not held, with the reason, when the target fell silent. */
export function failOverSilence(checks: SloCheck[], result: Run): SloCheck[] {
  const silent = silentSeconds(result);
  if (silent.length === 0) return checks;
  const reason = `the target answered nothing for ${silent.length} s of the load (${spans(silent)}) while requests waited; a closed model sends nothing while it waits, so the figures under-count the silence`;
  return checks.map((c) => ({ ...c, held: false, reason }));
}

/** [2, 3, 4, 7] → "t = 2–4 s, 7 s". */
function spans(seconds: number[]): string {
  const parts: string[] = [];
  let start = seconds[0] as number;
  let end = start;
  for (const s of [...seconds.slice(1), Infinity]) {
    if (s === end + 1) {
      end = s;
      continue;
    }
    parts.push(start === end ? `${start} s` : `${start}–${end} s`);
    start = s;
    end = s;
  }
  return `t = ${parts.join(', ')}`;
}
