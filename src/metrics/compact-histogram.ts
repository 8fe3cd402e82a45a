/**
 * A latency histogram that can be put away in its compressed encoding (a few KB instead of the
 * 140 KB counts array) once it stops changing, so a long run's per-second histograms keep
 * memory flat. Adding to a sealed one reopens it; reading a sealed one decodes a fresh copy.
 */
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  type LatencyHistogram,
} from './histogram.js';

export class CompactHistogram {
  #live: LatencyHistogram | undefined;
  #encoded: string | undefined;

  /** Adds every count of `source` (exact). */
  add(source: LatencyHistogram): void {
    if (this.#live === undefined) {
      this.#live = this.#encoded === undefined ? createLatencyHistogram() : decodeHistogram(this.#encoded);
      this.#encoded = undefined;
    }
    mergeHistograms(this.#live, source);
  }

  /** The histogram: the live one, or a decoded copy when sealed (do not keep it if memory matters). */
  get(): LatencyHistogram {
    if (this.#live !== undefined) return this.#live;
    return this.#encoded === undefined ? createLatencyHistogram() : decodeHistogram(this.#encoded);
  }

  /** Puts the histogram away in its encoding. */
  seal(): void {
    if (this.#live === undefined) return;
    this.#encoded = encodeHistogram(this.#live);
    this.#live = undefined;
  }

  /** True while the counts array is held in memory. */
  get live(): boolean {
    return this.#live !== undefined;
  }
}
