// Requests as the server counted them: an nginx access log whose every line is `$msec` (the
// request's end, seconds since the Unix epoch with millisecond resolution) read into counts per
// whole second, and two such logs compared over only the whole seconds in which both had traffic.
//
//   log A:  |--a first ......................... a last--|
//   log B:       |--b first ................................... b last--|
//   common:      [max(first) ....................... min(last)]
//   counted:      [s, s+1) whole seconds inside it (the partial first and last are trimmed)
import { readFileSync } from 'node:fs';

/** nginx `log_format` of the logs this module reads: one `$msec` per request. */
export const msecLogFormat = "log_format msec '$msec';";

/**
 * Reads an access log of `$msec` lines: requests per whole second (Unix seconds), the first and
 * last request's time (ms since the epoch) and the total.
 */
export function readMsecLog(path) {
  const text = readFileSync(path, 'latin1');
  const perSecond = new Map();
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (end > at) {
      const dot = text.indexOf('.', at);
      const second = Number(text.slice(at, dot < 0 || dot > end ? end : dot));
      const ms = Number(text.slice(at, end)) * 1000;
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      if (ms < firstMs) firstMs = ms;
      if (ms > lastMs) lastMs = ms;
      total++;
    }
    at = end + 1;
  }
  return { perSecond, firstMs, lastMs, total };
}

/** The whole seconds [s, s + 1) inside [fromMs, toMs]. */
function wholeSeconds(fromMs, toMs) {
  const out = [];
  for (let s = Math.ceil(fromMs / 1000); (s + 1) * 1000 <= toMs; s++) out.push(s);
  return out;
}

/**
 * Requests/s of each log over the whole seconds in which every log had traffic (first and last
 * partial seconds trimmed): `{ seconds, fromMs, toMs, rates: [..], ratio: rates[0] / rates[1] }`; `ratio` is
 * only set for two logs. One log alone gives its own active whole seconds.
 */
export function compareOverCommonSeconds(...logs) {
  const fromMs = Math.max(...logs.map((l) => l.firstMs));
  const toMs = Math.min(...logs.map((l) => l.lastMs));
  const seconds = wholeSeconds(fromMs, toMs);
  const rates = logs.map(
    (l) => seconds.reduce((n, s) => n + (l.perSecond.get(s) ?? 0), 0) / Math.max(1, seconds.length),
  );
  return {
    seconds: seconds.length,
    fromMs: seconds.length === 0 ? NaN : seconds[0] * 1000,
    toMs: seconds.length === 0 ? NaN : (seconds.at(-1) + 1) * 1000,
    rates,
    ...(logs.length === 2 ? { ratio: rates[0] / rates[1] } : {}),
  };
}

/**
 * CPU seconds a process used between `fromMs` and `toMs` (ms since the epoch), interpolated
 * linearly between `samples` of `[epochMs, cpuSeconds]` taken while it ran; NaN when the samples
 * do not cover the interval.
 */
export function cpuBetween(samples, fromMs, toMs) {
  const at = (ms) => {
    for (let i = 1; i < samples.length; i++) {
      const [t0, c0] = samples[i - 1];
      const [t1, c1] = samples[i];
      if (t0 <= ms && ms <= t1) return t1 === t0 ? c1 : c0 + ((c1 - c0) * (ms - t0)) / (t1 - t0);
    }
    return NaN;
  };
  return at(toMs) - at(fromMs);
}
