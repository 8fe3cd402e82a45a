import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentionStretch, dbSimSpecSchema } from '../../src/deps/index.js';

describe('contentionStretch', () => {
  it.each([
    { what: 'no contention spec: never stretched', spec: undefined, open: 64, stretch: 1 },
    { what: 'σ = κ = 0: never stretched', spec: { sigma: 0, kappa: 0 }, open: 64, stretch: 1 },
    { what: 'below capacity: not stretched', spec: { sigma: 0.5, kappa: 0.5 }, open: 3, stretch: 1 },
    { what: 'at capacity: not stretched', spec: { sigma: 0.5, kappa: 0.5 }, open: 8, stretch: 1 },
    { what: 'one beyond: 1 + σ + κ', spec: { sigma: 0.01, kappa: 0.0005 }, open: 9, stretch: 1.0105 },
    { what: 'σ alone is linear', spec: { sigma: 0.02, kappa: 0 }, open: 64, stretch: 1 + 0.02 * 56 },
    { what: 'κ alone is quadratic', spec: { sigma: 0, kappa: 0.001 }, open: 18, stretch: 1.1 },
    {
      what: 'both: 1 + σe + κe²',
      spec: { sigma: 0.01, kappa: 0.0005 },
      open: 64,
      stretch: 1 + 0.01 * 56 + 0.0005 * 56 * 56,
    },
  ])('$what (open $open of capacity 8 → $stretch)', ({ spec, open, stretch }) => {
    expect(contentionStretch(spec, 8, open)).toBeCloseTo(stretch, 12);
  });

  it('is at least 1 and never falls as more queries are open', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 5000 }),
        (sigma, kappa, capacity, open) => {
          const spec = { sigma, kappa };
          const here = contentionStretch(spec, capacity, open);
          expect(here).toBeGreaterThanOrEqual(1);
          expect(contentionStretch(spec, capacity, open + 1)).toBeGreaterThanOrEqual(here);
        },
      ),
    );
  });
});

describe('dependencies.db.contention in the simulated database spec', () => {
  it('is left out by default, so the database queues at no cost as before', () => {
    expect(dbSimSpecSchema.parse({}).contention).toBeUndefined();
  });

  it('fills in the coefficient not given with 0', () => {
    expect(dbSimSpecSchema.parse({ contention: { sigma: 0.01 } }).contention).toEqual({
      sigma: 0.01,
      kappa: 0,
    });
  });
});
