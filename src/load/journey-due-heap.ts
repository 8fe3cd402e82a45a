/** A binary min-heap of items by their `dueMs`: the journey engine's steps waiting to be sent. */
export class DueHeap<T extends { dueMs: number }> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as T).dueMs <= item.dueMs) break;
      a[i] = a[parent] as T;
      i = parent;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && (a[r] as T).dueMs < (a[l] as T).dueMs ? r : l;
      if ((a[child] as T).dueMs >= last.dueMs) break;
      a[i] = a[child] as T;
      i = child;
    }
    a[i] = last;
    return top;
  }

  /** Empties the heap, returning what it held (in no order). */
  drain(): T[] {
    return this.#items.splice(0);
  }
}
