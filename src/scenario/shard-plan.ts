/**
 * One shard's share of a run plan: the i-th of n equal shares of every phase, so that the n
 * shards together make exactly the planned load and no share is rounded away (the idea of k6's
 * execution segments, done by striping).
 *
 *   open model    the arrivals of each phase are numbered 0, 1, 2, … on the whole plan's schedule;
 *                 shard i sends those whose number is i, i + n, i + 2n, …  Every arrival belongs to
 *                 exactly one shard, at the time the whole plan gives it: the shards' union is the
 *                 unsharded schedule, whatever the rate or the ramp. The phases keep the whole rate;
 *                 `shard` on the plan tells the engine which stripe is its own.
 *   closed model  each phase's connections c are split floor(c / n) each, and the c mod n left
 *                 over go one each to shards 0, 1, …: the sum is c. With c < n the shards from c on
 *                 hold no connection in that phase and send nothing in it (they still run, and
 *                 their results still merge).
 *   maxInFlight   split the same way, but never below 1 per shard.
 *   faults        applied by shard 0 alone: the fault proxy is one, whoever drives the load.
 */
import type { RunPlan } from './plan.js';

/** Which share of a run one process drives: `index` from 0 to `count` − 1. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Most shards one run may be split into. */
export const maxShards = 10_000;

/** Share `index` of `n` split `count` ways: floor(n / count), plus one for the first n mod count shares. */
export function shareOf(n: number, count: number, index: number): number {
  return Math.floor(n / count) + (index < n % count ? 1 : 0);
}

/**
 * Whether arrival number `k` (from 0) of a phase's schedule belongs to lane `lane` of `lanes`
 * (a lane is one worker of one shard; see {@link arrivalLane}).
 */
export function ownsArrival(k: number, lane: number, lanes: number): boolean {
  return k % lanes === lane;
}

/**
 * The stripe of a phase's arrivals that worker `worker` of `workers` in a shard sends: lane
 * `shard.index + shard.count × worker` of `shard.count × workers` lanes. Striping twice (by
 * shard, then by worker within it) is one striping by lane.
 */
export function arrivalLane(
  shard: ShardSpec | undefined,
  worker: number,
  workers: number,
): { lane: number; lanes: number } {
  const s = shard ?? { index: 0, count: 1 };
  return { lane: s.index + s.count * worker, lanes: s.count * workers };
}

/** The plan shard `shard` runs: see the module comment. `shard` must be valid (see {@link shardProblems}). */
export function shardPlan(plan: RunPlan, shard: ShardSpec): RunPlan {
  const { index, count } = shard;
  const out: RunPlan = {
    ...plan,
    shard: { index, count },
    phases: plan.phases.map((p) =>
      p.connections === undefined ? { ...p } : { ...p, connections: shareOf(p.connections, count, index) },
    ),
  };
  if (plan.open !== undefined) {
    out.open = { ...plan.open, maxInFlight: Math.max(1, shareOf(plan.open.maxInFlight, count, index)) };
  }
  if (index !== 0) delete out.faults;
  return out;
}

/** What is wrong with a shard spec, each problem a sentence with what was expected and found; empty when none. */
export function shardProblems(shard: ShardSpec): string[] {
  const { index, count } = shard;
  const problems: string[] = [];
  if (!Number.isInteger(count) || count < 1 || count > maxShards) {
    problems.push(`expected a shard count n from 1 to ${maxShards}, found ${count}`);
  } else if (!Number.isInteger(index) || index < 0 || index >= count) {
    problems.push(`expected a shard index i from 0 to ${count - 1} (i/n counts from 0), found ${index}`);
  }
  return problems;
}
