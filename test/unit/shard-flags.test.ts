import { describe, expect, it } from 'vitest';
import { checkShardFlags, fixedStart, parseStartAt } from '../../src/cli/shard-flags.js';
import { isLoadlabError, type LoadlabError } from '../../src/shared/index.js';

const now = Date.parse('2026-12-02T08:00:00Z');

function problemsOf(flags: Parameters<typeof checkShardFlags>[0]): string[] {
  try {
    checkShardFlags(flags, now);
    return [];
  } catch (error) {
    if (!isLoadlabError(error, 'BAD_FLAG')) throw error;
    return error.problems.length > 0 ? [...error.problems] : [error.message];
  }
}

describe('--start-at', () => {
  it.each([
    ['2026-12-02T09:00:00Z', Date.parse('2026-12-02T09:00:00Z')],
    ['2026-12-02T10:00:00+01:00', Date.parse('2026-12-02T09:00:00Z')],
    ['2026-12-02T09:00:00.250Z', Date.parse('2026-12-02T09:00:00.250Z')],
    ['1796202000000', 1796202000000],
    ['2026-12-02T09:00:00', undefined],
    ['tomorrow', undefined],
    ['12345', undefined],
  ])('reads %s as %s', (text, ms) => {
    expect(parseStartAt(text)).toBe(ms);
  });
});

describe('--shard with --start-at', () => {
  it('takes a valid pair', () => {
    expect(checkShardFlags({ shard: '3/4', 'start-at': '2026-12-02T09:00:00Z' }, now)).toEqual({
      shard: { index: 3, count: 4 },
      startAtMs: Date.parse('2026-12-02T09:00:00Z'),
    });
  });

  it.each([
    [{ shard: '4/4', 'start-at': '2026-12-02T09:00:00Z' }, ['--shard: expected a shard index i from 0 to 3']],
    [{ shard: 'one of four', 'start-at': '2026-12-02T09:00:00Z' }, ['--shard: expected i/n such as 0/4']],
    [{ shard: '0/0', 'start-at': '2026-12-02T09:00:00Z' }, ['--shard: expected a shard count n from 1']],
    [{ shard: '0/4' }, ['--shard: expected --start-at TIME beside it']],
    [
      { shard: '0/4', 'start-at': '2026-12-02T07:59:00Z', repeat: 3 },
      ['--repeat 3', 'expected a time in the future'],
    ],
  ])('refuses %o, every mistake at once', (flags, expected) => {
    const problems = problemsOf(flags);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(problems[i]).toContain(e));
  });
});

describe('the fixed start handed to the lab', () => {
  it('gives the start time to a run ready before it, and refuses one ready after it', async () => {
    await expect(fixedStart(now)(now - 10)).resolves.toBe(now);
    const late = await fixedStart(now)(now + 250).catch((e: unknown) => e as LoadlabError);
    expect(late).toMatchObject({ code: 'SHARD_LATE', exitCode: 3 });
    expect((late as LoadlabError).message).toContain('250 ms after --start-at');
  });
});
