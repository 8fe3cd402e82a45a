/**
 * Durations in scenario files and flags: a number of seconds, or a string with a unit
 * ("250ms", "5s", "2m", "1h", "1m30s").
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const partRe = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/**
 * The longest delay a Node timer takes, ms (2^31 − 1, about 24.8 days); a longer one fires after
 * 1 ms instead, with a warning.
 */
export const maxTimerMs = 2_147_483_647;

/** Parses a duration to milliseconds; undefined when the text is not a duration, or is negative or not finite. */
export function parseDurationMs(value: unknown): number | undefined {
  const ms = durationMsOf(value);
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

/** Like {@link parseDurationMs}, but keeps a huge value (`1e308` seconds) as Infinity so it can be called too long. */
function durationMsOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value >= 0 ? value * 1000 : undefined; // NaN fails here too
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  partRe.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = partRe.exec(text); m !== null; m = partRe.exec(text)) {
    total += Number(m[1]) * (unitMs[m[2] as string] as number);
    consumed = partRe.lastIndex;
  }
  return consumed === text.length ? total : undefined;
}

/** The outcome of {@link checkDuration}: milliseconds, or what is wrong (without the value found). */
export type DurationCheck = { ms: number } | { problem: string };

/**
 * Parses a duration and checks it lies in `[minMs, maxMs]`. The problem names the bound:
 * `must be at most 24h`, `must be at least 1s`; a negative duration (`-5s`, `-1`) is "at least",
 * not "not a duration".
 */
export function checkDuration(value: unknown, minMs: number, maxMs: number): DurationCheck {
  const ms = durationMsOf(value);
  if (ms === undefined) {
    const negative =
      (typeof value === 'number' && value < 0) ||
      (typeof value === 'string' && /^\s*-/.test(value) && durationMsOf(value.trim().slice(1)) !== undefined);
    if (negative) return { problem: `must be at least ${formatDurationMs(minMs)}` };
    return { problem: durationExpected };
  }
  if (ms < minMs) return { problem: `must be at least ${formatDurationMs(minMs)}` };
  if (ms > maxMs) return { problem: `must be at most ${formatDurationMs(maxMs)}` };
  return { ms };
}

/** What a duration looks like, for messages. */
export const durationExpected = 'expected a duration such as "500ms", "5s" or "2m"';

/** Formats milliseconds for people: "1h30m", "1m30s", "5s", "250ms". */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = Math.round(ms / 100) / 10;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const s = Math.round((totalS - h * 3600 - m * 60) * 10) / 10;
  const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 || (h === 0 && m === 0) ? `${s}s` : ''];
  return parts.join('');
}
