/**
 * Whether dist/ is older than the TypeScript it is compiled from. Tests spawn the CLI, the
 * reference service and worker threads from dist/, so a stale build would test old code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders `tsconfig.build.json` compiles, and the config files that shape its output. */
export const buildInputs = ['src', 'protocol', join('reference-service', 'src'), 'scripts'];
const buildConfigs = ['tsconfig.json', 'tsconfig.build.json'];

/** Newest modification time (ms) of the files under `dir` that `keep` accepts; -Infinity when none. */
function newestMtime(dir: string, keep: (name: string) => boolean): { mtimeMs: number; file?: string } {
  let newest: { mtimeMs: number; file?: string } = { mtimeMs: -Infinity };
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory()
      ? newestMtime(path, keep)
      : keep(entry.name)
        ? { mtimeMs: statSync(path).mtimeMs, file: path }
        : undefined;
    if (candidate !== undefined && candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

/**
 * Why `root`/dist must be rebuilt, or undefined when it is up to date: dist/ is missing or empty,
 * or a .ts file under the build inputs (or a tsconfig) is newer than the newest file in dist/.
 */
export function staleDistReason(root: string): string | undefined {
  const built = newestMtime(join(root, 'dist'), () => true);
  if (built.file === undefined) return 'dist/ is missing';
  let source: { mtimeMs: number; file?: string } = { mtimeMs: -Infinity };
  for (const dir of buildInputs) {
    const newest = newestMtime(join(root, dir), (name) => name.endsWith('.ts'));
    if (newest.mtimeMs > source.mtimeMs) source = newest;
  }
  for (const name of buildConfigs) {
    const path = join(root, name);
    if (existsSync(path) && statSync(path).mtimeMs > source.mtimeMs)
      source = { mtimeMs: statSync(path).mtimeMs, file: path };
  }
  if (source.file !== undefined && source.mtimeMs > built.mtimeMs)
    return `${source.file} is newer than dist/`;
  return undefined;
}
