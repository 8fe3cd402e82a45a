/**
 * One error type for the whole tool, with stable codes. Callers branch on `code`, never on the
 * message; the CLI maps `exitCode` to the process exit status. docs/errors.md lists every code.
 */

/** Exit statuses of the CLI (docs/errors.md). */
export const ExitCode = {
  ok: 0,
  sloFailed: 1,
  invalidInput: 2,
  runFailed: 3,
  /** A comparison gated by a threshold could not decide: too few runs, or its one-sided bounds straddle the threshold. */
  inconclusive: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface CodeSpec {
  exitCode: ExitCode;
  hint: string;
}

/** Every error code loadlab raises, with its exit status and a hint on how to fix it. */
export const errorCodes = {
  SCENARIO_NOT_FOUND: { exitCode: ExitCode.invalidInput, hint: 'Check the path to the scenario file.' },
  SCENARIO_PARSE: {
    exitCode: ExitCode.invalidInput,
    hint: 'The file is not valid YAML or JSON; fix the syntax at the line shown.',
  },
  SCENARIO_INVALID: {
    exitCode: ExitCode.invalidInput,
    hint: 'Fix each field listed; `loadlab validate <file>` re-checks without starting anything.',
  },
  BAD_OVERRIDE: {
    exitCode: ExitCode.invalidInput,
    hint: 'Write overrides as --set path.to.field=value, e.g. --set service.db.pool.max=20.',
  },
  BAD_FLAG: { exitCode: ExitCode.invalidInput, hint: 'See `loadlab <command> --help`.' },
  BAD_MATRIX: {
    exitCode: ExitCode.invalidInput,
    hint: 'Write a matrix as `path: [value, ...]` in the scenario, or --matrix path=v1,v2 (repeatable).',
  },
  RESUME_MISMATCH: {
    exitCode: ExitCode.invalidInput,
    hint: 'Resume a sweep with the scenario, --set, --matrix, --repeat and --seed it was started with, or start a new one in another folder.',
  },
  BAD_PLAN: {
    exitCode: ExitCode.invalidInput,
    hint: 'The target, the fault proxy and the scenario do not fit together; each problem says how.',
  },
  NO_SLO: {
    exitCode: ExitCode.invalidInput,
    hint: 'A capacity search needs an SLO to hold: add slo: to the scenario, or pass --slo p99Ms=50 (docs/capacity.md).',
  },
  PROXY_CONFIG_INVALID: {
    exitCode: ExitCode.invalidInput,
    hint: 'Fix the `loadlab proxy --config` file: proxies [{name, listen, upstream, enabled, toxics}] and an optional seed.',
  },
  RESULT_INVALID: {
    exitCode: ExitCode.invalidInput,
    hint: 'Pass a result.json written by `loadlab run` (schema loadlab/result@1).',
  },
  BAD_THRESHOLD: {
    exitCode: ExitCode.invalidInput,
    hint: 'Write a threshold as metric:change, e.g. "p99:+10%", "rps:-5%" or "errorRate:+0.5pp"; docs/compare.md lists the metrics.',
  },
  COMPARE_INPUT: {
    exitCode: ExitCode.invalidInput,
    hint: 'Pass a result.json, a run folder holding one, or a folder of run folders (run-1/, run-2/, ...).',
  },
  COMPARE_MISMATCH: {
    exitCode: ExitCode.invalidInput,
    hint: 'Compare runs of the same scenario and load; only the service, its dependencies or the target may differ.',
  },
  SHARD_MISMATCH: {
    exitCode: ExitCode.invalidInput,
    hint: 'Merge the shards of one run: the same scenario, the same n, the same --start-at, each shard once.',
  },
  MERGE_INPUT: {
    exitCode: ExitCode.invalidInput,
    hint: 'Pass the output folders of `loadlab run --shard i/n`, each holding result.json and latency.hlog.',
  },
  SHARD_LATE: {
    exitCode: ExitCode.runFailed,
    hint: 'Give every shard a --start-at far enough ahead for the slowest to be ready (a minute on a cluster).',
  },
  CHILD_FAILED: {
    exitCode: ExitCode.runFailed,
    hint: 'A process of the run exited early or never became ready; its last log lines are shown.',
  },
  TARGET_UNREACHABLE: {
    exitCode: ExitCode.runFailed,
    hint: 'Check that the target is up and reachable: the message names the step that failed (DNS, connect, TLS, ALPN) and its error kind (docs/targets.md).',
  },
  LOAD_FAILED: { exitCode: ExitCode.runFailed, hint: 'A load worker failed; the message says why.' },
  OUTPUT_FAILED: {
    exitCode: ExitCode.runFailed,
    hint: 'Choose an output folder that can be created and written.',
  },
  INTERRUPTED: {
    exitCode: ExitCode.interrupted,
    hint: 'The run was interrupted; results so far were written.',
  },
} satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof errorCodes;

/** The one error class; build it with {@link loadlabError}. */
export class LoadlabError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string;
  /** Individual problems, each a full sentence with where, what was expected and what was found. */
  readonly problems: readonly string[];

  constructor(code: ErrorCode, message: string, options: { problems?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoadlabError';
    this.code = code;
    this.exitCode = errorCodes[code].exitCode;
    this.hint = errorCodes[code].hint;
    this.problems = options.problems ?? [];
  }
}

/** Builds a {@link LoadlabError} with the given stable code. */
export function loadlabError(
  code: ErrorCode,
  message: string,
  options: { problems?: string[]; cause?: unknown } = {},
): LoadlabError {
  return new LoadlabError(code, message, options);
}

/** True when `err` is a LoadlabError, optionally with the given code. */
export function isLoadlabError(err: unknown, code?: ErrorCode): err is LoadlabError {
  return err instanceof LoadlabError && (code === undefined || err.code === code);
}
