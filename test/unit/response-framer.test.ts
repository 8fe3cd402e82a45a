import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponseFramer } from '../../src/load/response-framer.js';

interface Framed {
  status: number;
  bytes: number;
  close: boolean;
}

function frame(chunks: Buffer[], heads: boolean[] = []): Framed[] {
  const out: Framed[] = [];
  const framer = new ResponseFramer({
    onResponse: (status, bytes, close) => out.push({ status, bytes, close }),
  });
  let n = 0;
  for (const c of chunks) framer.feed(c, () => heads[n++] ?? false);
  framer.end();
  return out;
}

/** Frames `chunks` read one after the other into the same buffer, as a socket's `onread` does; the buffer is scribbled over after each read. */
function frameReused(chunks: Buffer[]): Framed[] {
  const out: Framed[] = [];
  const framer = new ResponseFramer({
    onResponse: (status, bytes, close) => out.push({ status, bytes, close }),
  });
  const buffer = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  for (const c of chunks) {
    c.copy(buffer);
    framer.feed(buffer.subarray(0, c.length), () => false, true);
    buffer.fill('X');
  }
  framer.end();
  return out;
}

const length = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world';
const chunked =
  'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n';
const empty = 'HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n';
const interim = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok';
const closing = 'HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy';

describe('ResponseFramer', () => {
  it.each([
    ['a Content-Length body', length, [{ status: 200, bytes: length.length, close: false }]],
    [
      'a chunked body with an extension and trailers',
      chunked,
      [{ status: 404, bytes: chunked.length, close: false }],
    ],
    ['a 204 with no body', empty, [{ status: 204, bytes: empty.length, close: false }]],
    [
      'an interim 100 before the answer',
      interim,
      [{ status: 201, bytes: interim.length - 25, close: false }],
    ],
    ['a Connection: close answer', closing, [{ status: 503, bytes: closing.length, close: true }]],
  ])('frames %s', (_name, text, expected) => {
    expect(frame([Buffer.from(text)])).toEqual(expected);
  });

  it('reads a body delimited by the close of the connection', () => {
    const text = 'HTTP/1.0 200 OK\r\n\r\nuntil the end';
    expect(frame([Buffer.from(text)])).toEqual([{ status: 200, bytes: text.length, close: true }]);
  });

  it('knows a HEAD answer has no body whatever its Content-Length says', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n';
    expect(frame([Buffer.from(head + length)], [true, false]).map((r) => r.bytes)).toEqual([
      head.length,
      length.length,
    ]);
  });

  it('refuses bytes that are not an HTTP/1.x response, with the framing error code', () => {
    expect(() => frame([Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')])).toThrow(
      expect.objectContaining({ name: 'FramingError', code: 'start-line' }),
    );
  });

  it('waits, without an error, on a valid head that has not ended yet (a slow target is a timeout)', () => {
    const framer = new ResponseFramer({ onResponse: () => expect.unreachable() });
    framer.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: y'), () => false);
    expect(framer.idle).toBe(false);
    expect(framer.end()).toBe(false);
  });

  it('refuses a 101 it never asked for, as an upgrade framing error', () => {
    const upgrade = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';
    expect(() => frame([Buffer.from(upgrade)])).toThrow(expect.objectContaining({ code: 'upgrade' }));
  });

  it('frames pipelined answers the same however the bytes are split', () => {
    const stream = Buffer.from(length + chunked + empty + interim + length);
    const whole = frame([stream]);
    expect(whole.map((r) => r.status)).toEqual([200, 404, 204, 201, 200]);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const at = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = at.slice(1).map((end, i) => stream.subarray(at[i], end));
          expect(frame(chunks)).toEqual(whole);
        },
      ),
    );
  });

  it('frames a head repeated byte for byte like the first, and parses anew a head of the same length that differs', () => {
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const created = 'HTTP/1.1 201 OK\r\nContent-Length: 2\r\n\r\nok';
    const closes = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nok';
    const chunks = [ok, ok, created, ok, ok].map((t) => Buffer.from(t));
    // The fourth answers a HEAD: the same head bytes, but no body this time.
    const framed = frame(
      [...chunks.slice(0, 3), Buffer.from(ok.slice(0, -2)), chunks[4] as Buffer],
      [false, false, false, true],
    );
    expect(framed.map((r) => [r.status, r.bytes])).toEqual([
      [200, 40],
      [200, 40],
      [201, 40],
      [200, 38],
      [200, 40],
    ]);
    expect(frame([Buffer.from(ok + closes.slice(0, -2))])).toEqual([
      { status: 200, bytes: 40, close: false },
      { status: 200, bytes: closes.length - 2, close: true },
    ]);
  });

  it('frames the same from a read buffer that is overwritten after every read, however the bytes are split', () => {
    const stream = Buffer.from(length + chunked + empty + interim + '\r\n' + length);
    const whole = frame([stream]);
    expect(whole.map((r) => r.status)).toEqual([200, 404, 204, 201, 200]);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const at = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = at.slice(1).map((end, i) => stream.subarray(at[i], end));
          expect(frameReused(chunks)).toEqual(whole);
        },
      ),
    );
  });
});
