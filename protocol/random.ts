/**
 * A small seedable random source (xoshiro128**, seeded through splitmix32). Everything that
 * draws — arrival times, latency samples, value generators, jitter — takes one of these, so a
 * run with a seed is reproducible.
 */
export interface Random {
  /** A float uniformly distributed in [0, 1). */
  next(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded generator; the same seed gives the same sequence on every platform. */
export function createRandom(seed: number): Random {
  const mix = splitmix32(seed);
  // State held as int32 (`| 0`): the bits are xoshiro128**'s; values above 2^31 kept as uint32
  // would be heap numbers, several times slower per draw.
  let a = mix() | 0;
  let b = mix() | 0;
  let c = mix() | 0;
  let d = mix() | 0;
  if ((a | b | c | d) === 0) a = 1;
  return {
    next(): number {
      const m = Math.imul(b, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      return result / 4294967296;
    },
  };
}

/** Derives an independent seed for a named stream (e.g. one per worker) from a run's seed. */
export function deriveSeed(seed: number, stream: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  }
  return splitmix32(h)();
}

/** A standard normal draw (Box–Muller), using two draws of `random`. */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
