/**
 * Durations in scenario files and flags: a number of seconds, or a string with a unit
 * ("250ms", "5s", "2m", "1h", "1m30s").
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const partRe = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Parses a duration to milliseconds; returns undefined when the text is not a duration. */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
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

/** Formats milliseconds for people: "1m30s", "5s", "250ms". */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = Math.round(ms / 100) / 10;
  const m = Math.floor(totalS / 60);
  const s = Math.round((totalS - m * 60) * 10) / 10;
  if (m === 0) return `${s}s`;
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}
