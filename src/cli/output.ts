/** How the CLI prints: errors with their problems and hints, progress lines, the final lines. */
import { isLoadlabError } from '../shared/index.js';

/** Prints an error to stderr and returns the exit code it stands for. */
export function printError(error: unknown): number {
  if (isLoadlabError(error)) {
    const lines = [`loadlab: ${error.message} [${error.code}]`];
    for (const p of error.problems) lines.push(`  ${p}`);
    lines.push(`hint: ${error.hint}`);
    process.stderr.write(lines.join('\n') + '\n');
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`loadlab: internal error: ${text}\n`);
  return 3;
}

/** Writes a line to stderr: the channel for everything but the result itself. */
export function note(line: string): void {
  process.stderr.write(line + '\n');
}
