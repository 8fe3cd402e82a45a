/**
 * One bounded read of a target's /metrics: a total deadline over headers and body together, and a
 * size cap past which reading stops. A target that trickles its body or sends a huge one costs at
 * most `deadlineMs` and `maxBytes`; it never holds up a run or fills the orchestrator's memory.
 *
 *   GET /metrics ──▶ headers ──▶ body chunks … total ≤ maxBytes ──▶ text
 *        └──────── all within deadlineMs (or until `signal` aborts) ───────┘
 */
import { request, type Dispatcher } from 'undici';

export interface MetricsReadLimits {
  /** Total time for the whole exchange, body included, ms. */
  deadlineMs: number;
  /** Largest body read, bytes; past it the read fails (and the connection is dropped). */
  maxBytes: number;
  /** Aborting ends the read at once. */
  signal?: AbortSignal;
}

/** How a read of /metrics went: its status and body, or why it failed (`error`: what failed, when something threw). */
export type MetricsRead =
  | { ok: true; status: number; text: string }
  | { ok: false; kind: 'too-large' | 'deadline' | 'abandoned' | 'failed'; reason: string; error?: unknown };

/** What carries a read: the dispatcher (default undici's global one), headers sent, the path (default /metrics). */
export interface MetricsReadVia {
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
  path?: string;
}

/** GETs `via.path` from `origin` within the limits. Never rejects: a failure is an answer of its own. */
export async function readMetrics(
  origin: string,
  limits: MetricsReadLimits,
  via: MetricsReadVia = {},
): Promise<MetricsRead> {
  const { dispatcher, headers, path = '/metrics' } = via;
  const deadline = AbortSignal.timeout(limits.deadlineMs);
  const signal = limits.signal === undefined ? deadline : AbortSignal.any([deadline, limits.signal]);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const res = await request(new URL(path, origin), {
      method: 'GET',
      signal,
      ...(headers === undefined ? {} : { headers }),
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limits.maxBytes) {
          return {
            ok: false,
            kind: 'too-large',
            reason: `GET ${path} sent more than ${formatBytes(limits.maxBytes)}: not read`,
          };
        }
        chunks.push(chunk);
      }
    } finally {
      // Reading stopped early (cap, deadline): drop the rest rather than wait for it.
      if (!res.body.readableEnded) res.body.destroy();
    }
    return { ok: true, status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (deadline.aborted) {
      return {
        ok: false,
        kind: 'deadline',
        reason: `GET ${path} did not finish within ${limits.deadlineMs} ms`,
      };
    }
    if (limits.signal?.aborted === true)
      return { ok: false, kind: 'abandoned', reason: `GET ${path} was abandoned` };
    const code = (error as { code?: string }).code;
    return {
      ok: false,
      kind: 'failed',
      reason: `GET ${path} failed: ${code ?? (error as Error).message}`,
      error,
    };
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}
