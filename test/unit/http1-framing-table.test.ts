/**
 * The RFC 9112 framing table (test/fixtures/http1-framing-cases.ts) against the shared core and
 * both of its adapters: the load engine's response framer and the fault proxy's framer. Every
 * case is fed whole, a byte at a time, and cut once at every point, so the framing cannot depend
 * on how the bytes arrive.
 */
import { describe, expect, it } from 'vitest';
import {
  BodyReader,
  bodyKind,
  FramingError,
  HeadReader,
  parseHead,
  type BodyKind,
} from '../../src/shared/http1/index.js';
import { framingCases, type FramingCase } from '../fixtures/http1-framing-cases.js';
import { cut, engineObserves, expected, proxyObserves, streamOf } from '../helpers/framing-adapters.js';

/** Whole, a byte at a time, and cut once at each point (at most ~400 points for long messages). */
function splits(stream: Buffer): Buffer[][] {
  const out = [
    [stream],
    cut(
      stream,
      Array.from({ length: stream.length }, (_, i) => i),
    ),
  ];
  const stride = Math.max(1, Math.floor(stream.length / 400));
  for (let at = 1; at < stream.length; at += stride) out.push(cut(stream, [at]));
  return out;
}

const name = (c: FramingCase): string => `${c.side}: ${c.name} (RFC ${c.rfc})`;

describe('RFC 9112 framing table, on the load engine response framer', () => {
  it.each(framingCases.filter((c) => c.side === 'response').map((c) => [name(c), c] as const))(
    '%s',
    (_name, c) => {
      const want = expected(c);
      for (const chunks of splits(streamOf(c))) expect(engineObserves(c, chunks)).toEqual(want);
    },
  );
});

describe('RFC 9112 framing table, on the fault proxy framer', () => {
  it.each(framingCases.map((c) => [name(c), c] as const))('%s', (_name, c) => {
    const want = expected(c);
    for (const chunks of splits(streamOf(c))) expect(proxyObserves(c, chunks)).toEqual(want);
  });
});

/** The core alone: the body kind of the case's final message, whether it is flagged, or the error. */
function coreDecides(c: FramingCase): { kind: BodyKind; flagged: boolean } | { error: string } {
  const data = Buffer.from(c.message, 'latin1');
  const heads = new HeadReader(c.side);
  try {
    for (let at = 0; ;) {
      const end = heads.find(data, at);
      if (end < 0) return { error: 'incomplete' };
      const head = parseHead(heads.text(data, at, end), c.side);
      const kind = bodyKind(head, c.side, c.method ?? 'GET');
      at = end;
      if (kind === 'informational') continue;
      if (kind === 'chunked') {
        // Where the chunked body ends must be the end of the message.
        const body = new BodyReader();
        body.start('chunked');
        if (body.read(data, at) !== data.length || !body.done) return { error: 'chunked body misread' };
      }
      return { kind, flagged: head.flagged };
    }
  } catch (error) {
    if (error instanceof FramingError) return { error: error.code };
    throw error;
  }
}

describe('RFC 9112 framing table, on the shared core', () => {
  it.each(framingCases.map((c) => [name(c), c] as const))('%s', (_name, c) => {
    const want =
      'error' in c.expect ? { error: c.expect.error } : { kind: c.expect.body, flagged: c.flagged === true };
    expect(coreDecides(c)).toEqual(want);
  });
});
