/**
 * The range each toxic and HTTP-fault attribute may take, in the admin API and in scenario files
 * alike. Toxiproxy takes any number; these bounds refuse what would misbehave instead: a time past
 * what a Node timer can wait (it would fire every millisecond), a status no client can read.
 *
 * | type          | attribute        | unit  | range                |
 * |---------------|------------------|-------|----------------------|
 * | latency       | latency, jitter  | ms    | 0 .. 86,400,000 (24h) |
 * | bandwidth     | rate             | KB/s  | 0 .. 10,000,000 (0: no limit) |
 * | slow_close    | delay            | ms    | 0 .. 86,400,000      |
 * | timeout       | timeout          | ms    | 0 .. 86,400,000      |
 * | reset_peer    | timeout          | ms    | 0 .. 86,400,000      |
 * | slicer        | average_size, size_variation | bytes, whole | 0 .. 1,048,576 |
 * | slicer        | delay            | µs, whole | 0 .. 86,400,000,000 (24h) |
 * | limit_data    | bytes            | bytes, whole | 0 .. 2^53 − 1 |
 * | http_status   | status           | whole | 200 .. 599           |
 * | http_status   | retry_after      | s, whole | 0 .. 86,400       |
 * | http_delay    | delay            | ms    | 0 .. 86,400,000      |
 */

/** The range of one attribute. */
export interface AttributeLimit {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly integer: boolean;
  /** The unit, for messages: "ms", "KB/s", "bytes", "µs", "s", or "" for none. */
  readonly unit: string;
}

/** A day, the longest time a toxic attribute may hold, ms. */
export const maxToxicMs = 86_400_000;

const ms: AttributeLimit = { min: 0, max: maxToxicMs, integer: false, unit: 'ms' };
const bytes = (max: number): AttributeLimit => ({ min: 0, max, integer: true, unit: 'bytes' });

/** Every attribute's range, by toxic type and attribute name (Toxiproxy's names). */
export const attributeLimits: Readonly<Record<string, Readonly<Record<string, AttributeLimit>>>> = {
  latency: { latency: ms, jitter: ms },
  bandwidth: { rate: { min: 0, max: 10_000_000, integer: false, unit: 'KB/s' } },
  slow_close: { delay: ms },
  timeout: { timeout: ms },
  reset_peer: { timeout: ms },
  slicer: {
    average_size: bytes(1_048_576),
    size_variation: bytes(1_048_576),
    delay: { min: 0, max: maxToxicMs * 1000, integer: true, unit: 'µs' },
  },
  limit_data: { bytes: bytes(Number.MAX_SAFE_INTEGER) },
  http_status: {
    // 1xx is an interim answer a client waits past: it cannot stand for the response.
    status: { min: 200, max: 599, integer: true, unit: '' },
    retry_after: { min: 0, max: 86_400, integer: true, unit: 's' },
  },
  http_delay: { delay: ms },
};

/** "a number from 0 to 86400000 ms", "a whole number from 200 to 599". */
export function describeLimit(limit: AttributeLimit): string {
  const unit = limit.unit === '' ? '' : ` ${limit.unit}`;
  return `${limit.integer ? 'a whole number' : 'a number'} from ${limit.min} to ${limit.max}${unit}`;
}

/** Why `value` is outside `limit`, or undefined when it fits. */
export function limitProblem(value: unknown, limit: AttributeLimit): string | undefined {
  const fits =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= limit.min &&
    value <= limit.max &&
    (!limit.integer || Number.isInteger(value));
  return fits ? undefined : `expected ${describeLimit(limit)}, got ${JSON.stringify(value) ?? String(value)}`;
}
