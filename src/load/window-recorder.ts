/**
 * Records responses into one-second windows on the run's clock. A window is handed over
 * (encoded) once the clock has left it, so the orchestrator sees each second once, complete.
 */
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
  type LatencyHistogram,
} from '../metrics/index.js';
import type { WindowCounts } from './protocol.js';

interface OpenWindow extends WindowCounts {
  histogram: LatencyHistogram;
  /** Open model: latency from the actual send; made on first use. */
  service?: LatencyHistogram;
}

/** A finished window, ready to post to the orchestrator. */
export interface EncodedWindow extends WindowCounts {
  t: number;
  histogram: string;
  serviceHistogram?: string;
}

export class WindowRecorder {
  readonly #windows = new Map<number, OpenWindow>();
  /** Histograms handed over and reset, reused for later windows: no 140 KB allocation per second. */
  readonly #spare: LatencyHistogram[] = [];
  readonly #startEpochMs: number;
  readonly #now: () => number;
  readonly #lastSecond: number;

  /** The run's last whole second, as given. */
  get lastSecond(): number {
    return this.#lastSecond;
  }

  /**
   * @param now the current time in ms since the Unix epoch, same clock as `startEpochMs`.
   * @param lastSecond the run's last whole second: answers that straggle in after the run's end
   *   count in it, rather than in a sliver of a window that would show as a false drop in rps.
   */
  constructor(startEpochMs: number, now: () => number, lastSecond = Infinity) {
    this.#startEpochMs = startEpochMs;
    this.#now = now;
    this.#lastSecond = lastSecond;
  }

  /**
   * Records one response of the given latency (milliseconds, fractional). The open model also
   * gives the service time (from the actual send), kept in a second histogram. `atMs`: when the
   * answer came, ms since the run's start, if the caller has just read the clock (saves reading it again).
   */
  response(
    latencyMs: number,
    bytes: number,
    errorKind: string | undefined,
    serviceMs?: number,
    atMs?: number,
  ): void {
    const w = this.#latency(latencyMs, serviceMs, atMs);
    w.requests++;
    w.bytes += bytes;
    if (errorKind !== undefined) w.errors[errorKind] = (w.errors[errorKind] ?? 0) + 1;
  }

  /** Records a request that failed without a response. */
  failure(kind: string): void {
    const w = this.#current();
    w.errors[kind] = (w.errors[kind] ?? 0) + 1;
  }

  /**
   * Records a request still unanswered when the engine stopped waiting: in the latency histogram
   * at its age (ms; the open model also gives its age from the actual send), as an error of kind
   * "unanswered", and in the window's `unanswered` count.
   */
  unanswered(ageMs: number, serviceAgeMs?: number): void {
    const w = this.#latency(ageMs, serviceAgeMs);
    w.errors.unanswered = (w.errors.unanswered ?? 0) + 1;
    w.unanswered = (w.unanswered ?? 0) + 1;
  }

  /** Records a latency (and a service time) into the current window (or that of `atMs`), and returns the window. */
  #latency(latencyMs: number, serviceMs: number | undefined, atMs?: number): OpenWindow {
    const w = this.#current(atMs);
    recordLatencyUs(w.histogram, Math.round(latencyMs * 1000));
    if (serviceMs !== undefined) {
      w.service ??= this.#histogram();
      recordLatencyUs(w.service, Math.round(serviceMs * 1000));
    }
    return w;
  }

  /** Records `count` requests due but never sent (open model: held by the bound until their phase ended). */
  dropped(count: number): void {
    if (count <= 0) return;
    const w = this.#current();
    w.dropped = (w.dropped ?? 0) + count;
  }

  /** Hands over every window the clock has left (all of them when `all` is true). */
  flush(all = false): EncodedWindow[] {
    const current = this.#second();
    const out: EncodedWindow[] = [];
    for (const [t, w] of this.#windows) {
      if (!all && t >= current) continue;
      out.push({
        t,
        histogram: encodeHistogram(w.histogram),
        ...(w.service === undefined ? {} : { serviceHistogram: encodeHistogram(w.service) }),
        requests: w.requests,
        errors: w.errors,
        bytes: w.bytes,
        ...(w.dropped === undefined ? {} : { dropped: w.dropped }),
        ...(w.unanswered === undefined ? {} : { unanswered: w.unanswered }),
      });
      this.#windows.delete(t);
      this.#recycle(w.histogram);
      if (w.service !== undefined) this.#recycle(w.service);
    }
    return out.sort((a, b) => a.t - b.t);
  }

  #recycle(histogram: LatencyHistogram): void {
    if (this.#spare.length >= 4) return;
    histogram.reset();
    this.#spare.push(histogram);
  }

  #histogram(): LatencyHistogram {
    return this.#spare.pop() ?? createLatencyHistogram();
  }

  /** The window of `atMs` (ms since the run's start), or of now. */
  #second(atMs = this.#now() - this.#startEpochMs): number {
    return Math.min(this.#lastSecond, Math.max(0, Math.floor(atMs / 1000)));
  }

  #current(atMs?: number): OpenWindow {
    const t = this.#second(atMs);
    let w = this.#windows.get(t);
    if (w === undefined) {
      w = { histogram: this.#histogram(), requests: 0, errors: {}, bytes: 0 };
      this.#windows.set(t, w);
    }
    return w;
  }
}
