/**
 * Row cursors of the `csv` value generator. Every call on the same file (and order) in one
 * request reads the same row, so `/u/{{csv users.csv id}}?n={{csv users.csv name}}` sends a
 * matching id and name; the row moves on once per request that reads the file. With several load
 * workers, worker w of W reads rows w, w + W, w + 2W, … in `seq` order, so no two workers send the
 * same row (unless the file has fewer rows than there are workers).
 *
 *   mix.next() ─▶ rows.nextRequest()        request k: every call on users.csv ─▶ row r(k)
 *                 first read of a file ─▶ cursor moves to its next row; later reads reuse it
 */
import type { Random } from '../../protocol/index.js';

/** Which share of the rows a worker reads in `seq` order: worker `index` of `count` (default 0 of 1). */
export interface CsvStride {
  index: number;
  count: number;
}

/** The rows one request reads, one cursor per file and order, shared by every template of a request mix. */
export class CsvRows {
  readonly #stride: CsvStride;
  readonly #cursors = new Map<string, () => number>();
  #request = 0;

  constructor(stride: CsvStride = { index: 0, count: 1 }) {
    if (!(
      Number.isInteger(stride.count) &&
      stride.count >= 1 &&
      stride.index >= 0 &&
      stride.index < stride.count
    )) {
      throw new RangeError(
        `csv stride: expected worker index 0..count−1, got ${stride.index} of ${stride.count}`,
      );
    }
    this.#stride = stride;
  }

  /** Starts a new request: the next read of each file moves its cursor on. */
  nextRequest(): void {
    this.#request++;
  }

  /**
   * The row reader for `key` (a file's absolute path) in `order` over `n` rows: it returns the
   * same row index for every read within one request. Cursors are made once per key and order;
   * `random` order draws from the `random` of the first call that made it.
   */
  reader(key: string, n: number, order: 'seq' | 'random', random: Random): () => number {
    const id = `${order} ${key}`;
    const existing = this.#cursors.get(id);
    if (existing !== undefined) return existing;
    const step = order === 'seq' ? seqRows(n, this.#stride) : () => Math.floor(random.next() * n);
    let readIn = -1;
    let row = 0;
    const read = (): number => {
      if (readIn !== this.#request) {
        readIn = this.#request;
        row = step();
      }
      return row;
    };
    this.#cursors.set(id, read);
    return read;
  }
}

/** Rows index, index + count, … below n, wrapping round; all rows from index mod n when n ≤ index. */
function seqRows(n: number, stride: CsvStride): () => number {
  const owned = stride.index < n;
  const first = owned ? stride.index : stride.index % n;
  const step = owned ? stride.count : 1;
  let next = first;
  return () => {
    const row = next;
    next += step;
    if (owned ? next >= n : next === n) next = owned ? first : 0;
    return row;
  };
}
