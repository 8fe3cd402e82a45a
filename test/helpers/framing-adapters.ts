/**
 * Runs one case of the RFC 9112 framing table through a framer and says what it made of it, in
 * one shape for every framer: the messages it framed (first line's status or method, and size on
 * the wire without interim 1xx heads) and how the stream ended for it, or the framing error.
 */
import { HttpFramer, type HttpPiece } from '../../src/chaos/http/http-framer.js';
import { ResponseFramer } from '../../src/load/response-framer.js';
import type { FramingCase } from '../fixtures/http1-framing-cases.js';

/** One framed message: its status (response) or method (request), and its bytes without interim heads. */
export interface FramedMessage {
  start: string;
  bytes: number;
}

/**
 * What a framer made of a stream: `framed` when its last message ended by its own framing,
 * `close` when it ends with the connection, `incomplete` when bytes are still held waiting for more.
 */
export type Observed =
  { messages: FramedMessage[]; endedBy: 'framed' | 'close' | 'incomplete' } | { error: string };

export const responseSentinel = 'HTTP/1.1 299 Sentinel\r\nContent-Length: 0\r\n\r\n';
export const requestSentinel = 'GET /sentinel HTTP/1.1\r\nhost: t\r\n\r\n';

/**
 * The case's message followed by a second message, as one stream; a message that is a framing
 * error stands alone (the error must show without more bytes, e.g. a head that never ends).
 */
export function streamOf(c: FramingCase): Buffer {
  if ('error' in c.expect) return Buffer.from(c.message, 'latin1');
  return Buffer.from(c.message + (c.side === 'request' ? requestSentinel : responseSentinel), 'latin1');
}

/** Cuts `stream` at `points` (sorted, within the stream). */
export function cut(stream: Buffer, points: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of [...points, stream.length]) {
    if (at > from) chunks.push(stream.subarray(from, at));
    from = Math.max(from, at);
  }
  return chunks;
}

/** What a correct framer observes for `c`. */
export function expected(c: FramingCase): Observed {
  if ('error' in c.expect) return { error: c.expect.error };
  let start = 0;
  // Interim (1xx) heads are not part of the final response's size.
  while (/^HTTP\/1\.\d 1\d\d /.test(c.message.slice(start))) start = c.message.indexOf('\r\n\r\n', start) + 4;
  const first = c.message.slice(start).replace(/^(\r\n)+/, '');
  const head = c.side === 'request' ? (first.split(' ')[0] ?? '') : first.slice(9, 12);
  const bytes = c.message.length - start;
  const sentinel = c.side === 'request' ? requestSentinel : responseSentinel;
  if (c.expect.body === 'until-close') {
    return { messages: [{ start: head, bytes: bytes + sentinel.length }], endedBy: 'close' };
  }
  const next = c.side === 'request' ? 'GET' : '299';
  return {
    messages: [
      { start: head, bytes },
      { start: next, bytes: sentinel.length },
    ],
    endedBy: 'framed',
  };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}

/** The load engine's response framer; the stream ends (the connection closes) after the last chunk. */
export function engineObserves(c: FramingCase, chunks: Buffer[]): Observed {
  const messages: FramedMessage[] = [];
  const framer = new ResponseFramer({
    onResponse: (status, bytes) => messages.push({ start: String(status), bytes }),
  });
  try {
    for (const chunk of chunks) framer.feed(chunk, () => messages.length === 0 && c.method === 'HEAD');
    if (framer.idle) return { messages, endedBy: 'framed' };
    return { messages, endedBy: framer.end() ? 'close' : 'incomplete' };
  } catch (error) {
    return { error: errorCode(error) };
  }
}

/** The fault proxy's framer (either direction); a framer that gives up must pass every byte on whole. */
export function proxyObserves(c: FramingCase, chunks: Buffer[]): Observed {
  const method = c.method ?? 'GET';
  const framer = new HttpFramer(c.side, (index = 0) => (index === 0 ? method : 'GET'));
  const pieces: HttpPiece[] = chunks.flatMap((chunk) => framer.feed(chunk));
  const passed = pieces.reduce((n, p) => n + p.data.length, 0);
  if (framer.opaque) {
    const whole = Buffer.concat(chunks);
    if (!Buffer.concat(pieces.map((p) => p.data)).equals(whole)) return { error: 'bytes lost on giving up' };
    return { error: errorCode(framer.failure) };
  }
  const messages: (FramedMessage & { last: boolean })[] = [];
  for (const piece of pieces) {
    if (piece.head !== undefined) {
      const start = c.side === 'request' ? piece.head.method : String(piece.head.status);
      messages.push({ start, bytes: 0, last: false });
    }
    const current = messages[messages.length - 1];
    if (current === undefined) return { error: 'body bytes before any head' };
    current.bytes += piece.data.length;
    current.last = piece.last;
  }
  const final = messages.filter((m) => !/^1\d\d$/.test(m.start));
  const total = chunks.reduce((n, chunk) => n + chunk.length, 0);
  const endedBy = passed < total ? 'incomplete' : messages.at(-1)?.last === false ? 'close' : 'framed';
  return { messages: final.map(({ start, bytes }) => ({ start, bytes })), endedBy };
}
