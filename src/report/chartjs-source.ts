/**
 * The text of chart.js's UMD build, inlined into every report so it opens from disk with no
 * network. Read once per process and cached (about 210 KB).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** chart.js's UMD bundle (which defines `window.Chart`), without its source-map comment. */
export function chartJsSource(): string {
  if (cached === undefined) {
    // chart.js's package "exports" does not expose dist/chart.umd.js; it sits next to the CommonJS entry.
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(entry), 'chart.umd.js'), 'utf8');
    cached = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  }
  return cached;
}
