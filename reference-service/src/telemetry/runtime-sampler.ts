/**
 * The reference service's in-process telemetry: once a second, its runtime (event-loop delay and
 * utilisation, memory, CPU, handles) from perf_hooks and the process, plus its pool, cache,
 * in-flight and GC series read straight from its Registry, handed to `onSample` (main.ts sends
 * it to the harness over the IPC channel). docs/measured-facts.md: monitorEventLoopDelay + memoryUsage +
 * ELU cost ≈ 0% of a saturated server, where an HTTP scrape of /metrics costs 8.6%. GC figures
 * come from prom-client's existing `gc` observer (nodejs_gc_duration_seconds), so the sampler
 * adds no observer of its own.
 *
 *   unref'd 1 s timer ─▶ ELD histogram (read, reset) + ELU delta + memoryUsage + cpuUsage delta
 *                     └▶ registry series ─▶ readPromReadings ─▶ sampleBetween(prev, cur)
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import {
  eventLoopResolutionMs,
  readPromReadings,
  sampleBetween,
  type PromReadings,
  type ServiceSample,
  type TelemetryMessage,
} from '../../../protocol/index.js';
import { readRegistrySamples } from './registry-samples.js';

/** What the sampler reads from the process; main.ts passes the real ones in. */
export interface RuntimeProbe {
  memoryUsage(): { rss: number; heapUsed: number; heapTotal: number; external: number };
  /** CPU time used by the process so far, µs (process.cpuUsage()). */
  cpuUsage(): { user: number; system: number };
  /** Handles and requests keeping the loop alive (process.getActiveResourcesInfo().length). */
  activeResources(): number;
}

export interface RuntimeSamplerOptions {
  registry: Registry;
  probe: RuntimeProbe;
  onSample: (message: TelemetryMessage) => void;
  /** Sampling interval, ms (default 1000). */
  intervalMs?: number;
  /** Wall clock, ms since the Unix epoch (default Date.now). */
  now?: () => number;
  /** Called when one second could not be sampled (that second is skipped). */
  onError?: (error: unknown) => void;
}

export interface RuntimeSampler {
  /** Stops sampling and the event-loop delay monitor. */
  stop(): void;
}

/** Starts sampling; the first sample arrives one interval later. */
export function startRuntimeSampler(options: RuntimeSamplerOptions): RuntimeSampler {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const delay = monitorEventLoopDelay({ resolution: eventLoopResolutionMs });
  delay.enable();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let cpu = options.probe.cpuUsage();
  let lastAtMs = now();
  let readings: PromReadings | undefined;
  let busy = false;
  let stopped = false;

  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const atMs = now();
      const elapsedMs = Math.max(1, atMs - lastAtMs);
      lastAtMs = atMs;
      const beyond = (ns: number) => round(Math.max(0, ns / 1e6 - eventLoopResolutionMs), 3);
      const runtime: ServiceSample = {
        eventLoopDelayMs: {
          p50: beyond(delay.percentile(50)),
          p99: beyond(delay.percentile(99)),
          max: beyond(delay.max),
        },
      };
      delay.reset();
      const eluNow = performance.eventLoopUtilization();
      runtime.elu = round(performance.eventLoopUtilization(eluNow, elu).utilization, 4);
      elu = eluNow;
      const mem = options.probe.memoryUsage();
      runtime.heapUsedBytes = mem.heapUsed;
      runtime.heapTotalBytes = mem.heapTotal;
      runtime.rssBytes = mem.rss;
      runtime.externalBytes = mem.external;
      const cpuNow = options.probe.cpuUsage();
      runtime.cpuUserPct = round(((cpuNow.user - cpu.user) / 1000 / elapsedMs) * 100, 2);
      runtime.cpuSystemPct = round(((cpuNow.system - cpu.system) / 1000 / elapsedMs) * 100, 2);
      cpu = cpuNow;
      runtime.activeHandles = options.probe.activeResources();

      const current = readPromReadings(await readRegistrySamples(options.registry));
      const app = sampleBetween(readings, current, elapsedMs / 1000);
      readings = current;
      if (!stopped) {
        options.onSample({ type: 'telemetry', atMs, intervalMs: elapsedMs, sample: { ...app, ...runtime } });
      }
    } catch (error) {
      options.onError?.(error);
    } finally {
      busy = false;
    }
  };
  // A first reading now, so the first sample's counters are already per interval.
  readRegistrySamples(options.registry).then(
    (samples) => (readings ??= readPromReadings(samples)),
    (error: unknown) => options.onError?.(error),
  );
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      delay.disable();
    },
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
