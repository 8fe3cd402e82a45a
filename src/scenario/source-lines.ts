/** Line numbers of paths inside a parsed YAML (or JSON) document. */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/**
 * Returns a function giving the 1-based line of the value at a path: the line of its key when it
 * sits in a mapping, of the item in a list, and of the nearest enclosing node when the path is
 * missing (a required field that was left out is reported at its parent's line).
 */
export function sourceLines(
  doc: Document,
  lineCounter: LineCounter,
): (path: readonly PropertyKey[]) => number | undefined {
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  return (path) => {
    let node: unknown = doc.contents;
    let line = lineOf(node);
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair === undefined) break;
        line = lineOf(pair.key) ?? lineOf(pair.value) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) break;
        line = lineOf(item) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };
}
