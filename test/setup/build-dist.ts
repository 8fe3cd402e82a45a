/**
 * vitest global setup: rebuild dist/ (`tsc -p tsconfig.build.json`) before any test runs when it is
 * missing or older than its sources, so no test spawns stale compiled code. A compile error stops
 * the run with the compiler's output.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/module-graph.js';
import { staleDistReason } from '../helpers/stale-dist.js';

export default function buildDist(): void {
  const reason = staleDistReason(repoRoot);
  if (reason === undefined) return;
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.build.json')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`building dist/ (${reason}) failed:\n${out}`, { cause: error });
  }
}
