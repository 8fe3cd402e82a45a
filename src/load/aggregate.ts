/**
 * Merges the windows arriving from every worker, exactly, into per-second series and one total
 * histogram. Windows may arrive late or out of order; each second is kept until the run ends,
 * in its compressed encoding once it is a few seconds old, so memory stays flat however long the run.
 */
import {
  createLatencyHistogram,
  decodeHistogram,
  mergeHistograms,
  summarizeLatencyMs,
  CompactHistogram,
  type LatencyHistogram,
} from '../metrics/index.js';
import type { LatencySummary } from '../results/index.js';
import type { WindowCounts } from './protocol.js';

interface SecondAggregate extends WindowCounts {
  histogram: CompactHistogram;
  service?: CompactHistogram;
}

/** Seconds this far behind the latest one reported are sealed (encoded); later windows reopen them. */
const sealAfterS = 5;

/** The generator's own figures for one second: ELU (0..1, max over workers) and process CPU (% of one core). */
export interface GeneratorFigures {
  elu: number;
  cpuPct: number;
}

type Quantiles = { p50: number; p90: number; p99: number; max: number };

/** One second of the run, every worker merged. */
export interface SecondFigures {
  t: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  bytes: number;
  /** Requests still unanswered when the load stopped, recorded in this second (also in `errorsByKind.unanswered`). */
  unanswered: number;
  latencyMs: Quantiles;
  /** Open model: latency from the actual send. */
  serviceTimeMs?: Quantiles;
  /** The generator's own load in this second, when its workers reported it. */
  generator?: GeneratorFigures;
}

export class LoadAggregate {
  readonly total: LatencyHistogram = createLatencyHistogram();
  /** Open model: the whole run's latency from the actual send; undefined until a worker sends one. */
  serviceTotal: LatencyHistogram | undefined;
  readonly #seconds = new Map<number, SecondAggregate>();
  readonly #generator = new Map<number, GeneratorFigures>();
  /** Seconds whose histograms are held live (not yet sealed). */
  readonly #live = new Set<number>();
  readonly errorsByKind: Record<string, number> = {};
  requests = 0;
  bytes = 0;
  /** Open model: requests due but never sent so far, as the workers' windows report them. */
  dropped = 0;
  /** Requests still unanswered when the engines stopped waiting (each also an "unanswered" error). */
  unanswered = 0;

  /** Adds one worker's window for second `t` (and its service-time histogram, in the open model). */
  add(t: number, encodedHistogram: string, counts: WindowCounts, encodedService?: string): void {
    const h = decodeHistogram(encodedHistogram);
    let s = this.#seconds.get(t);
    if (s === undefined) {
      s = { histogram: new CompactHistogram(), requests: 0, errors: {}, bytes: 0, unanswered: 0 };
      this.#seconds.set(t, s);
    }
    s.histogram.add(h);
    mergeHistograms(this.total, h);
    if (encodedService !== undefined) {
      const service = decodeHistogram(encodedService);
      s.service ??= new CompactHistogram();
      this.serviceTotal ??= createLatencyHistogram();
      s.service.add(service);
      mergeHistograms(this.serviceTotal, service);
    }
    this.#live.add(t);
    this.#seal(t - sealAfterS);
    s.requests += counts.requests;
    s.bytes += counts.bytes;
    this.requests += counts.requests;
    this.bytes += counts.bytes;
    this.dropped += counts.dropped ?? 0;
    s.unanswered = (s.unanswered ?? 0) + (counts.unanswered ?? 0);
    this.unanswered += counts.unanswered ?? 0;
    for (const [kind, n] of Object.entries(counts.errors)) {
      s.errors[kind] = (s.errors[kind] ?? 0) + n;
      this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + n;
    }
  }

  /** Adds one worker's sample of second `t`: its ELU (the max over workers is kept) and, from one worker, the process's CPU. */
  addGenerator(t: number, elu: number, cpuPct?: number): void {
    const g = this.#generator.get(t) ?? { elu: 0, cpuPct: 0 };
    g.elu = Math.max(g.elu, elu);
    if (cpuPct !== undefined) g.cpuPct = Math.max(g.cpuPct, cpuPct);
    this.#generator.set(t, g);
  }

  /** The generator's figures of every second some worker sampled, in order of time. */
  generatorSeconds(): (GeneratorFigures & { t: number })[] {
    return [...this.#generator].sort(([a], [b]) => a - b).map(([t, g]) => ({ t, ...g }));
  }

  /** The generator's figures over seconds `fromT`..`toT` (inclusive): mean and max of each, or undefined when none was reported. */
  generatorBetween(
    fromT = 0,
    toT = Infinity,
  ): { eluMean: number; eluMax: number; cpuPctMean: number; cpuPctMax: number } | undefined {
    const picked = [...this.#generator].filter(([t]) => t >= fromT && t <= toT).map(([, g]) => g);
    if (picked.length === 0) return undefined;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const elu = picked.map((g) => g.elu);
    const cpu = picked.map((g) => g.cpuPct);
    return {
      eluMean: mean(elu),
      eluMax: Math.max(...elu),
      cpuPctMean: mean(cpu),
      cpuPctMax: Math.max(...cpu),
    };
  }

  /** Seals every live second before `beforeT`. */
  #seal(beforeT: number): void {
    for (const t of this.#live) {
      if (t >= beforeT) continue;
      const s = this.#seconds.get(t);
      s?.histogram.seal();
      s?.service?.seal();
      this.#live.delete(t);
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
      unanswered: s.unanswered ?? 0,
      latencyMs: quantiles(s.histogram.get()),
      ...(s.service === undefined ? {} : { serviceTimeMs: quantiles(s.service.get()) }),
      ...this.#generatorOf(t),
    };
  }

  #generatorOf(t: number): { generator?: GeneratorFigures } {
    const g = this.#generator.get(t);
    return g === undefined ? {} : { generator: { ...g } };
  }

  /**
   * Latency over seconds `fromT` to `toT` (inclusive), merged exactly: e.g. one phase's
   * percentiles, or a run's without its warm-up.
   */
  latencyBetween(fromT: number, toT: number): LatencySummary {
    const merged = createLatencyHistogram();
    for (const [t, s] of this.#seconds)
      if (t >= fromT && t <= toT) mergeHistograms(merged, s.histogram.get());
    return summarizeLatencyMs(merged);
  }

  /** The latency histogram (µs) of every second some worker reported, in order of time, decoded one at a time. */
  *windows(): Generator<{ t: number; histogram: LatencyHistogram }> {
    const ts = [...this.#seconds.keys()].sort((a, b) => a - b);
    for (const t of ts) {
      const s = this.#seconds.get(t);
      if (s !== undefined) yield { t, histogram: s.histogram.get() };
    }
  }

  /**
   * Every second from 0 to `lastT` (the run's last second) or the last one reported, whichever is
   * later, empty seconds included as zeros: a second in which nothing was answered is a point too.
   */
  seconds(lastT = -1): SecondFigures[] {
    const last = Math.max(lastT, ...this.#seconds.keys());
    const out: SecondFigures[] = [];
    for (let t = 0; t <= last; t++) {
      out.push(
        this.second(t) ?? {
          t,
          requests: 0,
          errors: 0,
          errorsByKind: {},
          bytes: 0,
          unanswered: 0,
          latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
          ...this.#generatorOf(t),
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
