import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactHistogram,
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
} from '../../src/metrics/index.js';

describe('CompactHistogram', () => {
  it('holds exactly the counts added, however often it is sealed and reopened', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.array(fc.integer({ min: 1, max: 60_000_000 }), { maxLength: 50 }), fc.boolean()),
          {
            maxLength: 8,
          },
        ),
        (batches) => {
          const compact = new CompactHistogram();
          const plain = createLatencyHistogram();
          for (const [values, seal] of batches) {
            const part = createLatencyHistogram();
            for (const v of values) {
              recordLatencyUs(part, v);
              recordLatencyUs(plain, v);
            }
            compact.add(part);
            if (seal) compact.seal();
          }
          expect(encodeHistogram(compact.get())).toBe(encodeHistogram(plain));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('drops its counts array when sealed and takes it back when added to', () => {
    const compact = new CompactHistogram();
    compact.add(createLatencyHistogram());
    expect(compact.live).toBe(true);
    compact.seal();
    expect(compact.live).toBe(false);
    compact.add(createLatencyHistogram());
    expect(compact.live).toBe(true);
  });
});
