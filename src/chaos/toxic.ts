/**
 * What a toxic is: a small unit with one job over one direction of a proxied connection. Its
 * configuration (attributes) is immutable; {@link ToxicKind.start} makes the per-connection state.
 * Names and attributes follow Toxiproxy's (`toxics/toxic.go`), so its clients and scripts work.
 */
import type { Random } from '../../protocol/index.js';

/** Which direction a toxic acts on: upstream is client → server, downstream is server → client. */
export type ToxicStream = 'upstream' | 'downstream';

/** A toxic as configured on a proxy, in Toxiproxy's JSON shape. */
export interface ToxicConfig {
  readonly name: string;
  readonly type: string;
  readonly stream: ToxicStream;
  /** Share of connections the toxic applies to, 0..1, drawn once per connection (HTTP faults: per request). */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
  /** HTTP faults only: which requests are eligible (loadlab extension; see http/http-fault-kinds.ts). */
  readonly match?: { readonly method?: string; readonly path?: string };
}

/** One chunk of bytes on its way through a direction, with the time it reached the proxy (ms). */
export interface Chunk {
  readonly data: Buffer;
  readonly at: number;
}

/** Passes a chunk to the next stage of the chain; resolves once the chunk has moved on. */
export type Next = (chunk: Chunk) => Promise<void>;

/** What a running toxic may use on its connection. */
export interface ToxicEnv {
  /** Monotonic clock, ms. */
  now(): number;
  /** Per connection and toxic, seeded from the proxy's seed. */
  readonly random: Random;
  /** Aborted when the toxic is removed or the connection closes; waits end at once then. */
  readonly signal: AbortSignal;
  /** Ends both sides of the connection after flushing what was already passed on (FIN). */
  close(): void;
  /** Resets both sides of the connection (RST). */
  reset(): void;
}

/** The per-connection, per-direction state of one toxic. Every hook is optional. */
export interface ToxicRun {
  /** Handles one chunk; calls `next` zero or more times, in order. */
  chunk?(chunk: Chunk, next: Next): Promise<void>;
  /** Runs when the source has ended, before the end is passed on. */
  end?(): Promise<void>;
}

/** One kind of toxic, registered by its Toxiproxy type name. */
export interface ToxicKind {
  readonly type: string;
  /** Every attribute the kind takes, with its default. */
  readonly defaults: Readonly<Record<string, number>>;
  /** Starts the toxic on one direction of one connection. */
  start(attributes: Readonly<Record<string, number>>, env: ToxicEnv): ToxicRun;
}

/** The longest single timer sleepUntil sets, ms (2^31 − 1, Node's limit). */
const maxTimerStepMs = 2_147_483_647;

/** Waits until `deadline` on the `now` clock, never early; resolves at once when `signal` aborts. */
export function sleepUntil(deadline: number, now: () => number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || now() >= deadline) {
      resolve();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      signal.removeEventListener('abort', done);
      resolve();
    };
    // setTimeout may fire up to ~2 ms early against performance.now() (docs/measured-facts.md "Timers"): sleep
    // on a timer rounded up, and only when it woke early finish the last stretch turn by turn.
    // Spinning from the start instead kept a core busy at 1,000 chunks/s (measured: 26-33% CPU
    // against 4-7%, for p50 0.4-1.4 ms late against 0.65 ms).
    let first = true;
    const check = (): void => {
      timer = undefined;
      immediate = undefined;
      const left = deadline - now();
      if (left <= 0) done();
      else if (!first && left <= 2) immediate = setImmediate(check);
      // A far deadline is reached in steps: Node fires a longer timer after 1 ms, with a warning.
      else timer = setTimeout(check, Math.min(Math.ceil(left), maxTimerStepMs));
      first = false;
    };
    signal.addEventListener('abort', done, { once: true });
    check();
  });
}
