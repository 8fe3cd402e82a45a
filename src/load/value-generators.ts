/**
 * Value generators, the calls inside request templates (`{{zipf 1 100000 1.1}}`). Each is a
 * factory keyed by the name used in scenario files: it checks its arguments once and returns
 * either a generator, which draws from the random source it was given and keeps its own state
 * (a `seq` counter belongs to the one template call that made it; `csv` calls share a row per
 * file through {@link CsvRows}), or an error sentence.
 */
import { resolve } from 'node:path';
import type { Random } from '../../protocol/index.js';
import { CsvRows } from './csv-rows.js';
import { readCsvTable } from './csv-table.js';

/** Draws one value to put into a request. */
export type ValueGenerator = () => string | number;

/** Where generators that read files find them, and the state calls of one request share. */
export interface GeneratorContext {
  /** Folder that relative data-file paths start from (the scenario file's; default the working folder). */
  baseDir?: string;
  /** The csv row cursors of the request mix; when absent, every read of a `csv` call is a request of its own. */
  rows?: CsvRows;
  /** Flow steps: the journey's variables, read by `{{vars.name}}`; absent outside flows. */
  vars?: JourneyVars;
}

/** The variables of the journey being rendered, as `{{vars.name}}` reads them. */
export interface JourneyVars {
  /** The values of the journey whose step is being rendered (the engine swaps it per journey). */
  current: Record<string, string>;
  /** At validation: the names set so far (earlier captures and the flow's `vars`); others are problems. */
  known?: ReadonlySet<string>;
}

/** Checks `args` (the words after the name) and returns a generator, or a sentence saying what is wrong. */
export type ValueGeneratorFactory = (
  args: readonly string[],
  random: Random,
  context: GeneratorContext,
) => ValueGenerator | string;

const numberRe = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function toNumber(word: string | undefined): number | undefined {
  if (word === undefined || !numberRe.test(word)) return undefined;
  const value = Number(word);
  return Number.isFinite(value) ? value : undefined;
}

function toInteger(word: string | undefined): number | undefined {
  const value = toNumber(word);
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

function got(args: readonly string[]): string {
  return `got "${args.join(' ')}"`;
}

/** `seq [start]`: start, start + 1, ... (default start 1). */
const seq: ValueGeneratorFactory = (args) => {
  const start = args.length === 0 ? 1 : toInteger(args[0]);
  if (args.length > 1 || start === undefined)
    return `seq expects no argument or 1 integer start, ${got(args)}`;
  let next = start;
  return () => next++;
};

/** `uniform a b`: an integer in a..b inclusive, each equally likely. */
const uniform: ValueGeneratorFactory = (args, random) => {
  const a = toInteger(args[0]);
  const b = toInteger(args[1]);
  if (args.length !== 2 || a === undefined || b === undefined || a > b || !Number.isSafeInteger(b - a + 1)) {
    return `uniform expects 2 integers a b with a ≤ b, ${got(args)}`;
  }
  const n = b - a + 1;
  if (n <= 2 ** 32) return () => a + Math.floor(random.next() * n);
  // One draw has 32 bits; wider ranges take a second draw for the low bits.
  // The sum can round up to 1, hence the min.
  return () => Math.min(b, a + Math.floor((random.next() + random.next() / 2 ** 32) * n));
};

/** `zipf a b s`: an integer in a..b where a + k − 1 (rank k) has probability ∝ 1/k^s. */
const zipf: ValueGeneratorFactory = (args, random) => {
  const a = toInteger(args[0]);
  const b = toInteger(args[1]);
  const s = toNumber(args[2]);
  if (args.length !== 3 || a === undefined || b === undefined || s === undefined || a > b || !(s > 0)) {
    return `zipf expects 3 numbers a b s with a ≤ b and s > 0, ${got(args)}`;
  }
  if (!Number.isSafeInteger(b - a + 1))
    return `zipf expects a range a..b of at most 2^53 values, ${got(args)}`;
  const rank = zipfRankSampler(b - a + 1, s, random);
  return () => a + rank() - 1;
};

/** `choice x y z`: one of the words, each equally likely; a word written as a number yields that number. */
const choice: ValueGeneratorFactory = (args, random) => {
  if (args.length === 0) return `choice expects at least 1 word, ${got(args)}`;
  const values = args.map((word) => {
    const value = toNumber(word);
    return value !== undefined && String(value) === word ? value : word;
  });
  const n = values.length;
  return () => values[Math.floor(random.next() * n)] as string | number;
};

/**
 * `csv file column [seq|random]`: the column's value in the rows of a CSV file (header row first;
 * the path relative to `context.baseDir`), in file order, wrapping round (`seq`, the default), or
 * drawn at random. Calls on the same file and order in one request read the same row (see {@link CsvRows}).
 */
const csv: ValueGeneratorFactory = (args, random, context) => {
  const [file, column, order = 'seq'] = args;
  if (args.length < 2 || args.length > 3 || file === undefined || column === undefined) {
    return `csv expects a file, a column and optionally seq or random, ${got(args)}`;
  }
  if (order !== 'seq' && order !== 'random') return `csv order must be seq or random, got "${order}"`;
  // resolve('', file) is relative to the working folder.
  const path = resolve(context.baseDir ?? '', file);
  const table = readCsvTable(path);
  if (typeof table === 'string') return table;
  const col = table.columns.indexOf(column);
  if (col < 0) return `csv column "${column}" is not in ${file} (columns: ${table.columns.join(', ')})`;
  const { rows } = table;
  if (context.rows === undefined) {
    const own = new CsvRows();
    const row = own.reader(path, rows.length, order, random);
    return () => {
      own.nextRequest();
      return rows[row()]?.[col] ?? '';
    };
  }
  const row = context.rows.reader(path, rows.length, order, random);
  return () => rows[row()]?.[col] ?? '';
};

/** The value generators, keyed by the name used in templates. */
export const valueGenerators: Readonly<Record<string, ValueGeneratorFactory>> = {
  seq,
  uniform,
  zipf,
  choice,
  csv,
};

/** Names of the value generators, in the order they are documented. */
export const valueGeneratorNames: readonly string[] = Object.keys(valueGenerators);

/**
 * Makes the generator `name args...` with `random`, or returns a sentence saying what is wrong
 * (unknown name or bad arguments).
 */
export function createValueGenerator(
  name: string,
  args: readonly string[],
  random: Random,
  context: GeneratorContext = {},
): ValueGenerator | string {
  if (name.startsWith('vars.')) return journeyVar(name.slice('vars.'.length), args, context);
  const factory = Object.hasOwn(valueGenerators, name) ? valueGenerators[name] : undefined;
  if (factory === undefined) {
    return `unknown value generator "${name}" (known: ${valueGeneratorNames.join(', ')})`;
  }
  return factory(args, random, context);
}

/** `vars.name`: the value the journey captured (or set) under `name`. */
function journeyVar(
  name: string,
  args: readonly string[],
  context: GeneratorContext,
): ValueGenerator | string {
  const vars = context.vars;
  if (vars === undefined)
    return `{{vars.${name}}} reads a journey's variables: it is for the steps of load.flows`;
  if (args.length > 0) return `vars.${name} takes no arguments, ${got(args)}`;
  if (!/^[A-Za-z_][\w-]*$/.test(name)) return `"vars.${name}" is not a variable name`;
  if (vars.known !== undefined && !vars.known.has(name)) {
    const known = [...vars.known];
    return `variable "${name}" is used before any step captures it (${known.length === 0 ? 'none is set yet' : `set so far: ${known.join(', ')}`})`;
  }
  return () => vars.current[name] ?? '';
}

/**
 * Zipf ranks 1..n with P(k) ∝ 1/k^s, by rejection-inversion (W. Hörmann and G. Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete distributions", 1996):
 * O(1) set-up and expected O(1) per draw (well under 2 uniforms on average) for any n and any
 * s > 0, including s = 1. The same scheme as Apache Commons RNG's RejectionInversionZipfSampler.
 */
export function zipfRankSampler(n: number, s: number, random: Random): () => number {
  // H is an antiderivative of h(x) = x^-s, written so it stays accurate as s → 1: (x^(1−s) − 1)/(1−s).
  const h = (x: number): number => Math.exp(-s * Math.log(x));
  const bigH = (x: number): number => {
    const logX = Math.log(x);
    return expm1OverX((1 - s) * logX) * logX;
  };
  const bigHInverse = (x: number): number => {
    let t = x * (1 - s);
    if (t < -1) t = -1; // rounding can push t just below the domain of log1p
    return Math.exp(log1pOverX(t) * x);
  };
  const hIntegralX1 = bigH(1.5) - 1;
  const hIntegralN = bigH(n + 0.5);
  const squeeze = 2 - bigHInverse(bigH(2.5) - h(2));
  return () => {
    for (;;) {
      const u = hIntegralN + random.next() * (hIntegralX1 - hIntegralN);
      const x = bigHInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= squeeze || u >= bigH(k + 0.5) - h(k)) return k;
    }
  };
}

/** log(1 + x) / x, accurate near 0. */
function log1pOverX(x: number): number {
  if (Math.abs(x) > 1e-8) return Math.log1p(x) / x;
  return 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (e^x − 1) / x, accurate near 0. */
function expm1OverX(x: number): number {
  if (Math.abs(x) > 1e-8) return Math.expm1(x) / x;
  return 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + 0.25 * x));
}
