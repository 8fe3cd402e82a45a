import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';
import type { LabEvent } from '../../src/lab/index.js';

const tick = (elapsedS: number, extra: Partial<Extract<LabEvent, { type: 'progress' }>> = {}): LabEvent => ({
  type: 'progress',
  elapsedS,
  totalS: 30,
  phase: 'steady',
  rps: 1234.4,
  p99Ms: 12.34,
  errors: 3,
  requests: 5000,
  ...extra,
});

function capture(tty: boolean, quiet = false) {
  let text = '';
  const progress = createProgress({ quiet, tty, write: (t) => (text += t), everyS: 5 });
  return { progress, text: () => text };
}

describe('the progress line', () => {
  it('redraws one line in place on a terminal with phase, elapsed/total, rps, p99, errors and dropped', () => {
    const { progress, text } = capture(true);
    progress.onEvent(tick(1));
    progress.onEvent(tick(2, { dropped: 7 }));
    progress.end();
    const out = text();
    expect(out.split('\r\x1b[2K').length - 1).toBe(2);
    expect(out).toContain('steady     2/30s    1234 rps  p99    12.3 ms  requests 5000  errors 3  dropped 7');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n').length - 1).toBe(1);
  });

  it('writes a plain line every 5 seconds when stderr is not a terminal', () => {
    const { progress, text } = capture(false);
    for (let s = 1; s <= 12; s++) progress.onEvent(tick(s));
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^steady +5\/30s/);
    expect(lines[1]).toMatch(/^steady +10\/30s/);
    expect(text()).not.toContain('\r');
  });

  it('prints nothing with --quiet', () => {
    const { progress, text } = capture(true, true);
    progress.onEvent({ type: 'status', message: 'starting' });
    progress.onEvent(tick(1));
    progress.end();
    expect(text()).toBe('');
  });
});
