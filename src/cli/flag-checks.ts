/**
 * Checks of the command line that yargs leaves out, so a mistake is named by the flag the user
 * typed: a value that starts with "-" (`--duration -1s`, which yargs would split into flags
 * `-1 -s`), a flag left without its value (`--set` at the end), a number flag given text
 * (`--workers abc`, which yargs turns into NaN).
 */
import type { Arguments } from 'yargs';
import { loadlabError } from '../shared/index.js';

const negativeNumberLike = /^-(\d|\.\d)/;

/**
 * Joins `--flag -1s` into `--flag=-1s`: a token that starts like a negative number is the value of
 * the flag before it, never a cluster of short flags (no flag is named by a digit).
 */
export function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    const next = args[i + 1];
    if (token === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (/^--[^=]+$/.test(token) && next !== undefined && negativeNumberLike.test(next)) {
      out.push(`${token}=${next}`);
      i++;
    } else {
      out.push(token);
    }
  }
  return out;
}

/** Options of the command being run, as yargs reports them. */
interface Options {
  string?: string[];
  number?: string[];
  array?: string[];
  boolean?: string[];
  alias?: Record<string, string[]>;
}

/**
 * A yargs middleware that throws BAD_FLAG, listing every problem, when a flag that takes a value
 * was given none, or a number flag was given something that is not a number. `args` is the
 * command line as parsed (after {@link joinNegativeValues}).
 */
export function checkFlagValues(args: readonly string[]) {
  // yargs passes its instance, with the running command's options, as a second argument its types leave out.
  return (argv: Arguments, ...rest: unknown[]): void => {
    const options = (rest[0] as { getOptions(): Options }).getOptions();
    const takesValue = new Set(
      [...(options.string ?? []), ...(options.number ?? []), ...(options.array ?? [])].filter(
        (name) => !(options.boolean ?? []).includes(name),
      ),
    );
    const numbers = new Set(options.number ?? []);
    const problems: string[] = [];
    const end = args.indexOf('--') < 0 ? args.length : args.indexOf('--');
    for (let i = 0; i < end; i++) {
      const token = args[i] as string;
      const match = /^--([^=]+)(?:=(.*))?$/s.exec(token);
      if (match === null) continue;
      const name = match[1] as string;
      if (!takesValue.has(name)) continue;
      const next = args[i + 1];
      const value = match[2] ?? (i + 1 < end && !(next as string).startsWith('-') ? next : undefined);
      if (value === undefined) {
        problems.push(`--${name}: expected a value after it, got nothing`);
      } else if (numbers.has(name) && !Number.isFinite(Number(value))) {
        problems.push(`--${name}: expected a number, got ${JSON.stringify(value)}`);
      }
    }
    // A flag yargs filled with NaN that the scan above did not explain (an alias, say).
    for (const name of numbers) {
      const value = argv[name];
      const bad = Array.isArray(value) ? value.some((v) => Number.isNaN(v)) : Number.isNaN(value);
      if (bad && !problems.some((p) => p.startsWith(`--${name}:`))) {
        problems.push(`--${name}: expected a number`);
      }
    }
    if (problems.length > 0) {
      const first = problems[0] as string;
      const message = problems.length === 1 ? first : `${problems.length} flags are wrong`;
      throw loadlabError('BAD_FLAG', message, problems.length === 1 ? {} : { problems });
    }
  };
}
