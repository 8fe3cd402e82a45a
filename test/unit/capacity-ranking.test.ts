/** `sweep --capacity`'s ranking: by capacity, overlapping brackets tie, no capacity ranks last. */
import { describe, expect, it } from 'vitest';
import {
  capacityRanking,
  type CapacityDocument,
  type CapacityRankingInput,
  type CapacityVerdict,
} from '../../src/analysis/index.js';

function doc(
  verdict: CapacityVerdict,
  bracket: { held: number | null; missed: number | null },
  atLeast = false,
): CapacityDocument {
  const capacity = verdict === 'capacity' || verdict === 'held-to-max' ? bracket.held : null;
  // Only the fields the ranking reads are filled; the rest of a real document does not matter here.
  return {
    verdict,
    capacity,
    ...(atLeast ? { atLeast } : {}),
    highestHeld: bracket.held,
    lowestMissed: bracket.missed,
  } as unknown as CapacityDocument;
}

function variant(index: number, document?: CapacityDocument, failure?: string): CapacityRankingInput {
  return {
    index,
    name: `pool=${index}`,
    dir: `${index}-pool=${index}`,
    settings: { pool: index },
    ...(document === undefined ? {} : { document }),
    ...(failure === undefined ? {} : { failure: { code: 'CHILD_FAILED', message: failure } }),
  };
}

const rank = (variants: CapacityRankingInput[]) =>
  capacityRanking({ scenario: 's', startedAt: '2026-12-02T00:00:00Z', variants });

describe('capacity ranking', () => {
  it('ranks by capacity and names a winner when its bracket lies above every other', () => {
    const r = rank([
      variant(1, doc('capacity', { held: 500, missed: 520 })),
      variant(2, doc('capacity', { held: 1000, missed: 1040 })),
      variant(3, doc('capacity', { held: 800, missed: 830 })),
    ]);
    expect(r.outcome).toBe('winner');
    expect(r.winner).toBe('pool=2');
    expect(r.variants.map((v) => [v.name, v.rank])).toEqual([
      ['pool=2', 1],
      ['pool=3', 2],
      ['pool=1', 3],
    ]);
  });

  it('ties variants whose brackets overlap: the search cannot order them', () => {
    const r = rank([
      variant(1, doc('capacity', { held: 1000, missed: 1050 })),
      variant(2, doc('capacity', { held: 1020, missed: 1060 })),
      variant(3, doc('capacity', { held: 600, missed: 630 })),
    ]);
    expect(r.outcome).toBe('tie');
    expect(r.winner).toBeNull();
    expect(r.best.sort()).toEqual(['pool=1', 'pool=2']);
    expect(r.variants.find((v) => v.name === 'pool=3')?.rank).toBe(2);
  });

  it('treats a capacity held up to the maximum rate as a lower bound, open above', () => {
    const r = rank([
      variant(1, doc('held-to-max', { held: 2000, missed: null }, true)),
      variant(2, doc('capacity', { held: 2100, missed: 2150 })),
    ]);
    // The lower bound 2,000/s could be anything above: it overlaps 2,100/s, so they tie.
    expect(r.outcome).toBe('tie');
    expect(r.variants.find((v) => v.index === 1)?.atLeast).toBe(true);
  });

  it('ranks variants without a capacity last and unranked; failures are kept with their reason', () => {
    const r = rank([
      variant(1, doc('never-held', { held: null, missed: 10 })),
      variant(2, undefined, 'the service did not start'),
      variant(3, doc('capacity', { held: 300, missed: 310 })),
    ]);
    expect(r.outcome).toBe('winner');
    expect(r.variants.map((v) => v.index)).toEqual([3, 1, 2]);
    expect(r.variants[1]?.rank).toBeUndefined();
    expect(r.variants[2]?.verdict).toBe('failed');
    expect(r.variants[2]?.failure?.message).toBe('the service did not start');
  });

  it('says none held, inconclusive or all failed rather than name a winner without a capacity', () => {
    expect(rank([variant(1, doc('never-held', { held: null, missed: 10 }))]).outcome).toBe('none-held');
    expect(rank([variant(1, doc('generator-limit', { held: 900, missed: null }))]).outcome).toBe(
      'inconclusive',
    );
    expect(rank([variant(1, undefined, 'x'), variant(2, undefined, 'y')]).outcome).toBe('all-failed');
  });
});
