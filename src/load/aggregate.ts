/**
 * Merges the windows arriving from every worker, exactly, into per-second series and one total
 * histogram. Windows may arrive late or out of order; each second is kept until the run ends.
 */
import {
  createLatencyHistogram,
  decodeHistogram,
  mergeHistograms,
  summarizeLatencyMs,
  type LatencyHistogram,
} from '../metrics/index.js';
import type { LatencySummary } from '../results/types.js';
import type { WindowCounts } from './protocol.js';

interface SecondAggregate extends WindowCounts {
  histogram: LatencyHistogram;
  service?: LatencyHistogram;
}

type Quantiles = { p50: number; p90: number; p99: number; max: number };

/** One second of the run, every worker merged. */
export interface SecondFigures {
  t: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  bytes: number;
  latencyMs: Quantiles;
  /** Open model: latency from the actual send. */
  serviceTimeMs?: Quantiles;
}

export class LoadAggregate {
  readonly total: LatencyHistogram = createLatencyHistogram();
  /** Open model: the whole run's latency from the actual send; undefined until a worker sends one. */
  serviceTotal: LatencyHistogram | undefined;
  readonly #seconds = new Map<number, SecondAggregate>();
  readonly errorsByKind: Record<string, number> = {};
  requests = 0;
  bytes = 0;

  /** Adds one worker's window for second `t` (and its service-time histogram, in the open model). */
  add(t: number, encodedHistogram: string, counts: WindowCounts, encodedService?: string): void {
    const h = decodeHistogram(encodedHistogram);
    let s = this.#seconds.get(t);
    if (s === undefined) {
      s = { histogram: createLatencyHistogram(), requests: 0, errors: {}, bytes: 0 };
      this.#seconds.set(t, s);
    }
    mergeHistograms(s.histogram, h);
    mergeHistograms(this.total, h);
    if (encodedService !== undefined) {
      const service = decodeHistogram(encodedService);
      s.service ??= createLatencyHistogram();
      this.serviceTotal ??= createLatencyHistogram();
      mergeHistograms(s.service, service);
      mergeHistograms(this.serviceTotal, service);
    }
    s.requests += counts.requests;
    s.bytes += counts.bytes;
    this.requests += counts.requests;
    this.bytes += counts.bytes;
    for (const [kind, n] of Object.entries(counts.errors)) {
      s.errors[kind] = (s.errors[kind] ?? 0) + n;
      this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + n;
    }
  }

  /** Total errors of every kind so far. */
  get errors(): number {
    return sum(this.errorsByKind);
  }

  /** The figures of second `t`, or undefined when no worker reported it. */
  second(t: number): SecondFigures | undefined {
    const s = this.#seconds.get(t);
    if (s === undefined) return undefined;
    return {
      t,
      requests: s.requests,
      errors: sum(s.errors),
      errorsByKind: { ...s.errors },
      bytes: s.bytes,
      latencyMs: quantiles(s.histogram),
      ...(s.service === undefined ? {} : { serviceTimeMs: quantiles(s.service) }),
    };
  }

  /**
   * Latency over seconds `fromT` to `toT` (inclusive), merged exactly: e.g. one phase's
   * percentiles, or a run's without its warm-up.
   */
  latencyBetween(fromT: number, toT: number): LatencySummary {
    const merged = createLatencyHistogram();
    for (const [t, s] of this.#seconds) if (t >= fromT && t <= toT) mergeHistograms(merged, s.histogram);
    return summarizeLatencyMs(merged);
  }

  /** Every second from 0 to the last one reported, empty seconds included as zeros. */
  seconds(): SecondFigures[] {
    if (this.#seconds.size === 0) return [];
    const last = Math.max(...this.#seconds.keys());
    const out: SecondFigures[] = [];
    for (let t = 0; t <= last; t++) {
      out.push(
        this.second(t) ?? {
          t,
          requests: 0,
          errors: 0,
          errorsByKind: {},
          bytes: 0,
          latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
        },
      );
    }
    return out;
  }
}

function quantiles(histogram: LatencyHistogram): Quantiles {
  const l = summarizeLatencyMs(histogram);
  return { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max };
}

function sum(counts: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}
