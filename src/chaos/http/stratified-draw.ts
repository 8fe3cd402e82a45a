/**
 * Seeded yes/no draws whose share of yeses tracks a ratio closely: requests are taken in blocks of
 * 1,000, and in each block exactly round(ratio × 1000) positions, picked by a seeded shuffle, are
 * hit. Over any whole number of blocks the share is exact (to 0.05 percentage points); within a
 * block the hits are spread at random, so they do not fall into a pattern a request mix could
 * follow. The same seed gives the same sequence of choices.
 */
import { createRandom, type Random } from '../../../protocol/index.js';

const blockSize = 1000;

export class StratifiedDraw {
  private readonly random: Random;
  private readonly hits: number;
  private order: Uint16Array = new Uint16Array(0);
  private position = blockSize;

  /** `ratio` is the share of draws answered yes, 0..1. */
  constructor(seed: number, ratio: number) {
    this.random = createRandom(seed);
    this.hits = Math.round(Math.min(1, Math.max(0, ratio)) * blockSize);
  }

  /** The next choice: true for a hit. */
  next(): boolean {
    if (this.hits === 0) return false;
    if (this.hits === blockSize) return true;
    if (this.position === blockSize) this.shuffle();
    const slot = this.order[this.position++] as number;
    return slot < this.hits;
  }

  private shuffle(): void {
    if (this.order.length === 0) this.order = Uint16Array.from({ length: blockSize }, (_, i) => i);
    for (let i = blockSize - 1; i > 0; i--) {
      const j = Math.floor(this.random.next() * (i + 1));
      const t = this.order[i] as number;
      this.order[i] = this.order[j] as number;
      this.order[j] = t;
    }
    this.position = 0;
  }
}
