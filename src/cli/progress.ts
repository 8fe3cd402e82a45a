/**
 * The progress line: rewritten in place once a second on a terminal, a plain line every few
 * seconds otherwise, nothing with --quiet. It subscribes to the lab's events.
 */
import type { LabEvent } from '../lab/index.js';

export interface ProgressOptions {
  quiet: boolean;
  /** Whether stderr is a terminal (rewrite one line) or a log (a line every `everyS` seconds). */
  tty: boolean;
  write: (text: string) => void;
  everyS?: number;
}

export function createProgress(options: ProgressOptions): {
  onEvent: (e: LabEvent) => void;
  end: () => void;
} {
  const everyS = options.everyS ?? 5;
  let lastPlain = 0;
  let open = false;
  const line = (text: string) => {
    if (open) options.write('\r\x1b[2K');
    options.write(text + '\n');
    open = false;
  };
  return {
    onEvent(e) {
      if (options.quiet) return;
      switch (e.type) {
        case 'status':
          line(`· ${e.message}`);
          break;
        case 'load-started':
          line(`· load → ${e.targetUrl} for ${e.totalS}s`);
          break;
        case 'phase':
          line(`· phase ${e.index + 1}: ${e.name}`);
          break;
        case 'progress': {
          const text =
            `${e.phase.padEnd(10)} ${fmt(e.elapsedS)}/${fmt(e.totalS)}s  ` +
            `${String(Math.round(e.rps)).padStart(6)} rps  p99 ${e.p99Ms.toFixed(1).padStart(7)} ms  ` +
            `requests ${e.requests}  errors ${e.errors}` +
            (e.dropped === undefined ? '' : `  dropped ${e.dropped}`);
          if (options.tty) {
            options.write(`\r\x1b[2K${text}`);
            open = true;
          } else if (e.elapsedS - lastPlain >= everyS) {
            lastPlain = e.elapsedS;
            line(text);
          }
          break;
        }
      }
    },
    end() {
      if (open) options.write('\n');
      open = false;
    },
  };
}

function fmt(s: number): string {
  return s.toFixed(0);
}
