/**
 * Poisson draws from a seeded uniform source, for the Poisson bootstrap (each observation of a
 * sample is given a Poisson(1) weight, so a bucket of c equal observations gets a Poisson(c) one).
 *
 *   λ < 10   inversion by multiplication of uniforms (Knuth, TAOCP vol. 2, §3.4.1)
 *   λ ≥ 10   transformed rejection with squeeze, PTRS (Hörmann, "The transformed rejection method
 *            for generating Poisson random variables", Insurance: Mathematics and Economics 12, 1993)
 */
import type { Random } from '../../protocol/index.js';

/** One draw of a Poisson(λ) variable, λ ≥ 0 (0 gives 0). */
export function poissonDraw(lambda: number, random: Random): number {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new RangeError(`poissonDraw: expected a finite λ ≥ 0, got ${lambda}`);
  }
  if (lambda === 0) return 0;
  if (lambda <= tableLimit && Number.isInteger(lambda)) return byTable(lambda, random);
  return lambda < 10 ? byMultiplication(lambda, random) : byTransformedRejection(lambda, random);
}

/** Integer λ up to this are drawn by inverting a cached CDF table: one uniform per draw. */
const tableLimit = 64;
const tables: (Float64Array | undefined)[] = [];

function byTable(lambda: number, random: Random): number {
  const table = poissonCdfTable(lambda);
  const u = random.next();
  let k = 0;
  while (k < table.length && u >= (table[k] as number)) k++;
  return k;
}

/**
 * P(X ≤ k) for k = 0, 1, ... of X ~ Poisson(λ), integer 0 < λ ≤ 64, until it is 1 within double
 * precision (cached): a uniform u gives the draw min{k : u < table[k]} (k = table.length when u
 * is beyond the table).
 */
export function poissonCdfTable(lambda: number): Float64Array {
  let table = tables[lambda];
  if (table === undefined) {
    // P(X ≤ k) until it is 1 within double precision.
    const cdf: number[] = [];
    let p = Math.exp(-lambda);
    let sum = p;
    for (let k = 0; sum < 1 - 1e-16 && k < 10 * lambda + 50; k++) {
      cdf.push(sum);
      p *= lambda / (k + 1);
      sum += p;
    }
    table = Float64Array.from(cdf);
    tables[lambda] = table;
  }
  return table;
}

/** The largest integer λ {@link poissonCdfTable} serves. */
export const poissonTableLimit = tableLimit;

function byMultiplication(lambda: number, random: Random): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = random.next();
  while (product > limit) {
    k++;
    product *= random.next();
  }
  return k;
}

function byTransformedRejection(lambda: number, random: Random): number {
  const sqrtLambda = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * sqrtLambda;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random.next() - 0.5;
    const v = random.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * logLambda - logGamma(k + 1)
    ) {
      return k;
    }
  }
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms: relative error under 1e-13). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < 9; i++) sum += (c[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
