/**
 * The generator's check on its own health, one sample per second of the run's clock: the event
 * loop utilisation of this worker thread (0..1) and, from one worker, the CPU of the whole
 * loadlab process (% of one core). Timers are unref'd and read only perf_hooks counters, so
 * sampling costs nothing measurable. Time the thread slept inside a callback (the open engine's
 * naps before a due time) is taken out of the busy time: the loop was waiting, not working.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** One second's figures. */
export interface GeneratorSample {
  /** Seconds since the run's start; the window is [t, t+1). */
  t: number;
  /** Event-loop utilisation of this worker over the second, 0..1. */
  elu: number;
  /** CPU of the whole process over the second, % of one core (may exceed 100 with several threads). */
  cpuPct?: number;
}

export interface GeneratorSamplerOptions {
  /** The run's time zero, ms since the Unix epoch. */
  startEpochMs: number;
  /** Process CPU time so far, µs (user + system); omit in all workers but one. */
  cpuUsageUs?: () => number;
  /** Time the thread slept inside event-loop callbacks so far (the open engine's naps), ms: not busy. */
  sleptMs?: () => number;
  onSample: (sample: GeneratorSample) => void;
  /** The run's clock, ms since time zero (default: performance.now() on `startEpochMs`); tests pass their own. */
  runNow?: () => number;
}

/**
 * A timer may fire a little early by the run's clock (Node's timers round to whole milliseconds on
 * a monotonic clock of their own): one that fires more than this before the second's end waits
 * for the rest instead of sampling a sliver of a second.
 */
const earlyToleranceMs = 1;

/** Samples once per second on the run's clock until `stop()`. */
export class GeneratorSampler {
  readonly #o: GeneratorSamplerOptions;
  readonly #offset: number;
  #elu: EventLoopUtilization = performance.eventLoopUtilization();
  #cpuUs = 0;
  #atMs = 0;
  #sleptMs = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The end of the second the next sample closes, on the run's clock. */
  #nextMs = 0;

  constructor(options: GeneratorSamplerOptions) {
    this.#o = options;
    this.#offset = performance.timeOrigin - options.startEpochMs;
  }

  start(): void {
    this.#elu = performance.eventLoopUtilization();
    this.#cpuUs = this.#o.cpuUsageUs?.() ?? 0;
    this.#sleptMs = this.#o.sleptMs?.() ?? 0;
    this.#atMs = this.#now();
    this.#nextMs = (Math.floor(this.#atMs / 1000) + 1) * 1000;
    this.#arm();
  }

  /** Takes a last sample of the second in progress (when at least 100 ms of it passed) and stops. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#now() - this.#atMs >= 100) this.#sample();
  }

  #now(): number {
    return this.#o.runNow?.() ?? performance.now() + this.#offset;
  }

  /**
   * Samples at the end of each second of the run's clock. Each sample closes one whole second: a
   * timer that fires early waits for the rest (before, it sampled a sliver of the second, and a
   * sliver's CPU share or loop utilisation can read anything up to 100%), and after a late one the
   * next sample closes the next second still ahead.
   */
  #arm(): void {
    this.#timer = setTimeout(
      () => {
        if (this.#now() < this.#nextMs - earlyToleranceMs) return this.#arm();
        this.#sample();
        this.#nextMs = Math.max(this.#nextMs + 1000, (Math.floor(this.#now() / 1000) + 1) * 1000);
        this.#arm();
      },
      Math.max(0, this.#nextMs - this.#now()),
    );
    this.#timer.unref();
  }

  #sample(): void {
    const nowMs = this.#now();
    // The second the sample mostly covers: the one its middle falls in.
    const t = Math.floor((this.#atMs + nowMs) / 2000);
    const elu = performance.eventLoopUtilization(this.#elu);
    this.#elu = performance.eventLoopUtilization();
    const slept = this.#o.sleptMs?.() ?? 0;
    const busy = Math.max(0, elu.active - (slept - this.#sleptMs));
    this.#sleptMs = slept;
    const total = elu.active + elu.idle;
    const utilization = total > 0 ? busy / total : 0;
    const sample: GeneratorSample = { t, elu: Math.round(utilization * 1000) / 1000 };
    const cpu = this.#o.cpuUsageUs;
    if (cpu !== undefined) {
      const us = cpu();
      const wallMs = nowMs - this.#atMs;
      if (wallMs > 0) sample.cpuPct = Math.round(((us - this.#cpuUs) / 1000 / wallMs) * 1000) / 10;
      this.#cpuUs = us;
    }
    this.#atMs = nowMs;
    if (t >= 0) this.#o.onSample(sample);
  }
}
