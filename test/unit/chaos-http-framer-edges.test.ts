import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpFramer, type HttpPiece } from '../../src/chaos/http/http-framer.js';

afterEach(() => vi.restoreAllMocks());

const joined = (pieces: HttpPiece[]): string => Buffer.concat(pieces.map((p) => p.data)).toString('latin1');

describe('HttpFramer on edge input', () => {
  it.each([
    ['1e1'],
    ['0x5'],
    ['+3'],
    ['-1'],
    [''],
    ['5, 6'],
    ['5 5'],
    ['99999999999999999999'],
    ['5\r\ncontent-length: 6'],
  ])('gives up framing (passes bytes whole) on Content-Length %j, on either side', (value) => {
    for (const [side, first] of [
      ['request', 'POST /u HTTP/1.1'],
      ['response', 'HTTP/1.1 200 OK'],
    ] as const) {
      const text = `${first}\r\ncontent-length: ${value}\r\n\r\nhello`;
      const framer = new HttpFramer(side);
      const pieces = framer.feed(Buffer.from(text, 'latin1'));
      expect(framer.opaque).toBe(true);
      expect(framer.failure?.code).toBe('content-length');
      expect(pieces.every((p) => p.head === undefined)).toBe(true);
      expect(joined(pieces)).toBe(text);
    }
  });

  it('frames a Content-Length of digits with optional spaces, and agreeing duplicates and lists', () => {
    const framer = new HttpFramer('request');
    const text =
      'POST /u HTTP/1.1\r\ncontent-length:  005 \r\nContent-Length: 5, 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n';
    const pieces = framer.feed(Buffer.from(text, 'latin1'));
    expect(framer.opaque).toBe(false);
    expect(pieces.filter((p) => p.head !== undefined).map((p) => p.head?.method)).toEqual(['POST', 'GET']);
    expect(pieces.filter((p) => p.last)).toHaveLength(2);
  });

  it('holds response bytes only while they can start "HTTP/1.x nnn"', () => {
    for (const text of ['hello', 'HTTP/2 200', 'HTTP/1.1 2000 ', 'http/1.1 200 OK']) {
      const framer = new HttpFramer('response');
      const pieces = framer.feed(Buffer.from(text, 'latin1'));
      expect([text, framer.opaque]).toEqual([text, true]);
      expect(joined(pieces)).toBe(text);
    }
    for (const text of ['H', 'HTTP/1.', 'HTTP/1.1 20', 'HTTP/1.1 200 OK\r\ncontent-len']) {
      const framer = new HttpFramer('response');
      expect(framer.feed(Buffer.from(text, 'latin1'))).toEqual([]);
      expect([text, framer.opaque]).toEqual([text, false]);
    }
  });

  it('tolerates empty lines before a held status line, as before a request line', () => {
    const framer = new HttpFramer('response');
    expect(framer.feed(Buffer.from('\r\nHTTP/1.1 20'))).toEqual([]);
    const pieces = framer.feed(Buffer.from('4 No Content\r\n\r\n'));
    expect(framer.opaque).toBe(false);
    expect(pieces.map((p) => p.head?.status)).toEqual([204]);
  });

  it('turns opaque on a status line that is complete but not HTTP/1.x, even when it came in pieces', () => {
    const framer = new HttpFramer('response');
    expect(framer.feed(Buffer.from('HTTP/1.1 200'))).toEqual([]);
    const pieces = framer.feed(Buffer.from('x OK\r\n'));
    expect(framer.opaque).toBe(true);
    expect(joined(pieces)).toBe('HTTP/1.1 200x OK\r\n');
  });

  it('frames a response head however it is cut, the status line and terminator included', () => {
    const stream = Buffer.from(
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 204 No Content\r\nx: y\r\n\r\n',
      'latin1',
    );
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
        const framer = new HttpFramer('response');
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const pieces: HttpPiece[] = [];
        let from = 0;
        for (const at of [...points, stream.length]) {
          pieces.push(...framer.feed(stream.subarray(from, at)));
          from = at;
        }
        expect(framer.opaque).toBe(false);
        expect(pieces.filter((p) => p.head !== undefined).map((p) => p.head?.status)).toEqual([200, 204]);
        expect(pieces.filter((p) => p.last)).toHaveLength(2);
        expect(joined(pieces)).toBe(stream.toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });

  it('copies a head that drips in byte by byte a bounded number of times (linear, not quadratic)', () => {
    const head = `GET /drip HTTP/1.1\r\n${'x-pad: abcdefgh\r\n'.repeat(1200)}\r\n`;
    const bytes = Buffer.from(head, 'latin1');
    const concat = Buffer.concat.bind(Buffer);
    let copied = 0;
    vi.spyOn(Buffer, 'concat').mockImplementation((list, total) => {
      const out = concat(list, total);
      copied += out.length;
      return out;
    });
    const framer = new HttpFramer('request');
    const pieces: HttpPiece[] = [];
    for (let i = 0; i < bytes.length; i++) pieces.push(...framer.feed(bytes.subarray(i, i + 1)));
    expect(pieces).toHaveLength(1);
    expect(pieces[0]?.head).toEqual({ method: 'GET', path: '/drip', status: 0 });
    expect(pieces[0]?.data.toString('latin1')).toBe(head);
    // One final join of the whole head plus a few bytes per read for the split-terminator probe.
    expect(copied).toBeLessThan(bytes.length * 10);
  });
});
