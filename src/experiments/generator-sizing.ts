/**
 * How much machine one shard's generator needs, from the plan: the rule `loadlab k8s` sizes its
 * pods' resource requests by, and docs/distributed.md states.
 *
 *   open model    cores = ceil(peak rate of the shard / 25,000 per s), at least 1. The open engine
 *                 kept 53,696 requests/s on one core against nginx at 94% CPU
 *                 (bench/results/load-generators.md); half of that leaves room for bigger
 *                 responses and keeps the generator's self-check "ok" (a generator near 100% busy
 *                 sends late and says "saturated").
 *   closed model  cores = the scenario's workers (a closed run's rate is whatever the target
 *                 answers; its threads are what it can use).
 *   memory        128 MiB + 128 MiB per worker thread: one worker's process held 95–104 MB RSS
 *                 from 2,000/s for 10 minutes to 53,000/s (bench/results/load-soak.md,
 *                 load-generators.md).
 *
 * Workers follow cores: one load thread per core requested.
 */
import type { RunPlan } from '../scenario/index.js';

/** Requests per second one generator core is sized for (half the measured ceiling). */
export const ratePerCore = 25_000;
/** Memory of a generator process with no worker, and per worker thread, MiB. */
export const baseMemoryMiB = 128;
export const memoryPerWorkerMiB = 128;

/** What one shard needs. */
export interface GeneratorSize {
  /** Whole cores to request (and load worker threads to run). */
  cores: number;
  /** Memory to request and to limit the container to, MiB. */
  memoryMiB: number;
  /** The shard's highest planned rate (open model), requests/s; undefined for the closed model. */
  peakRate?: number;
  /** The rule, in one sentence with its figures. */
  rule: string;
}

/** Sizes one of `shards` shards of `plan` (the whole run's plan, not one shard's). */
export function sizeGenerator(plan: RunPlan, shards: number): GeneratorSize {
  if (plan.model === 'open') {
    const peak = Math.max(0, ...plan.phases.map((p) => Math.max(p.rate?.from ?? 0, p.rate?.to ?? 0)));
    const peakRate = peak / shards;
    const cores = Math.max(1, Math.ceil(peakRate / ratePerCore));
    return {
      cores,
      memoryMiB: baseMemoryMiB + memoryPerWorkerMiB * cores,
      peakRate,
      rule: `peak ${round(peakRate)}/s per shard ÷ ${ratePerCore}/s per core = ${cores} core(s); ${baseMemoryMiB} MiB + ${memoryPerWorkerMiB} MiB per worker`,
    };
  }
  const cores = plan.workers;
  return {
    cores,
    memoryMiB: baseMemoryMiB + memoryPerWorkerMiB * cores,
    rule: `closed model: ${cores} core(s), one per load worker; ${baseMemoryMiB} MiB + ${memoryPerWorkerMiB} MiB per worker`,
  };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
