/**
 * `--shard i/n` and `--start-at TIME` of `loadlab run`: which share of the run this process
 * drives, and the wall-clock time at which every shard starts its load. Both are checked before
 * anything starts, every mistake at once.
 */
import type { Argv } from 'yargs';
import { shardProblems, type ShardSpec } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';

export interface ShardFlags {
  shard?: string;
  'start-at'?: string;
}

/** Adds `--shard` and `--start-at`. */
export function shardFlagOptions<T>(y: Argv<T>): Argv<T & ShardFlags> {
  return y
    .option('shard', {
      type: 'string',
      describe:
        'Drive only share i of n of every phase (i from 0 to n-1, e.g. 0/4); needs --start-at; `loadlab merge` joins the shards (docs/distributed.md)',
    })
    .option('start-at', {
      type: 'string',
      describe:
        'Start the load at this wall-clock time, common to every shard: ISO 8601 (2026-12-02T08:00:00Z) or ms since the Unix epoch',
    }) as Argv<T & ShardFlags>;
}

/** The checked flags: the shard (absent when not sharded) and the start time (ms since the epoch). */
export interface ShardChoice {
  shard?: ShardSpec;
  startAtMs?: number;
}

/**
 * Checks `--shard` and `--start-at` together; throws one BAD_FLAG listing every problem, each with
 * the flag, what was expected and what was found.
 */
export function checkShardFlags(flags: ShardFlags & { repeat?: number }, nowMs: number): ShardChoice {
  const problems: string[] = [];
  const choice: ShardChoice = {};
  if (flags.shard !== undefined) {
    const m = /^\s*(-?\d+)\s*\/\s*(-?\d+)\s*$/.exec(flags.shard);
    if (m === null) {
      problems.push(`--shard: expected i/n such as 0/4 (shard i of n, i from 0), found "${flags.shard}"`);
    } else {
      const shard = { index: Number(m[1]), count: Number(m[2]) };
      const wrong = shardProblems(shard);
      problems.push(...wrong.map((p) => `--shard: ${p} in "${flags.shard}"`));
      if (wrong.length === 0) choice.shard = shard;
    }
    if (flags['start-at'] === undefined) {
      problems.push(
        '--shard: expected --start-at TIME beside it (the shards must start together), found none',
      );
    }
    if (flags.repeat !== undefined && flags.repeat !== 1) {
      problems.push(`--shard: runs once; expected no --repeat, found --repeat ${flags.repeat}`);
    }
  }
  if (flags['start-at'] !== undefined) {
    const ms = parseStartAt(flags['start-at']);
    if (ms === undefined) {
      problems.push(
        `--start-at: expected an ISO 8601 time with its zone (2026-12-02T08:00:00Z) or ms since the Unix epoch, found "${flags['start-at']}"`,
      );
    } else if (ms <= nowMs) {
      problems.push(
        `--start-at: expected a time in the future, found ${new Date(ms).toISOString()} (${((nowMs - ms) / 1000).toFixed(1)} s ago)`,
      );
    } else {
      choice.startAtMs = ms;
    }
  }
  if (problems.length > 0) {
    throw loadlabError(
      'BAD_FLAG',
      problems.length === 1 ? (problems[0] as string) : `${problems.length} problems with the flags`,
      problems.length === 1 ? {} : { problems },
    );
  }
  return choice;
}

/** ms since the epoch of an ISO 8601 time with a zone (Z or ±hh:mm) or of a whole number of ms; undefined otherwise. */
export function parseStartAt(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{10,}$/.test(t)) return Number(t);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The lab's `startAt` handle for a fixed start time: it resolves with that time, or fails with
 * SHARD_LATE when the run was ready only after it (a shard that started late would not line up
 * with the others).
 */
export function fixedStart(startAtMs: number): (earliestEpochMs: number) => Promise<number> {
  return async (earliest) => {
    if (earliest > startAtMs) {
      throw loadlabError(
        'SHARD_LATE',
        `the run was ready to start its load at ${new Date(earliest).toISOString()}, ${earliest - startAtMs} ms after --start-at ${new Date(startAtMs).toISOString()}`,
      );
    }
    return startAtMs;
  };
}
