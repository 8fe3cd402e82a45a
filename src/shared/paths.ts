/**
 * Where the compiled entry files of child processes and worker threads live. Workers and child
 * processes always run compiled JavaScript from dist/, whether the caller runs from dist/ (the
 * CLI) or from TypeScript sources (vitest), so both start the same code.
 */
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The folder holding loadlab's package.json (this file is src/shared/ or dist/src/shared/ below it). */
export const packageRoot = here.endsWith(`${sep}dist${sep}src${sep}shared`)
  ? resolve(here, '..', '..', '..')
  : resolve(here, '..', '..');

/** Absolute path of a compiled file, given its source path relative to the package root. */
export function distEntry(sourcePath: string): string {
  return join(packageRoot, 'dist', sourcePath.replace(/\.ts$/, '.js'));
}

/** Compiled entry points started as separate processes or threads. */
export const entries = {
  dbSimulator: () => distEntry('src/deps/db-main.ts'),
  recsSimulator: () => distEntry('src/deps/recs-main.ts'),
  faultProxy: () => distEntry('src/chaos/proxy-main.ts'),
  referenceService: () => distEntry('reference-service/src/main.ts'),
  loadWorker: () => distEntry('src/load/worker-main.ts'),
  cli: () => distEntry('src/cli/main.ts'),
};
