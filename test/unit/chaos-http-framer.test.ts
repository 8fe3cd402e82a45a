import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMatch } from '../../src/chaos/http/http-fault-kinds.js';
import { HttpFramer, type HttpPiece } from '../../src/chaos/http/http-framer.js';
import { StratifiedDraw } from '../../src/chaos/http/stratified-draw.js';

const requests = [
  'GET /users/1?x=2 HTTP/1.1\r\nhost: a\r\n\r\n',
  'POST /users HTTP/1.1\r\ncontent-length: 11\r\n\r\n{"name":"x"}'.replace('11', '12'),
  'PUT /users/2 HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n',
  'DELETE /users/3 HTTP/1.1\r\ncontent-length: 0\r\n\r\n',
];

/** Feeds `stream` cut at `cuts` and returns the pieces. */
function frame(framer: HttpFramer, stream: Buffer, cuts: number[]): HttpPiece[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const pieces: HttpPiece[] = [];
  let from = 0;
  for (const at of [...points, stream.length]) {
    pieces.push(...framer.feed(stream.subarray(from, at)));
    from = at;
  }
  return pieces;
}

/** Messages as [head method or status, all bytes] from pieces. */
function messages(pieces: HttpPiece[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const p of pieces) {
    if (p.head !== undefined) out.push([p.head.method || String(p.head.status), '']);
    const last = out[out.length - 1];
    if (last !== undefined) last[1] += p.data.toString('latin1');
  }
  return out;
}

describe('HttpFramer', () => {
  it('frames pipelined requests (no body, Content-Length, chunked with trailers) however the bytes are cut', () => {
    const stream = Buffer.from(requests.join(''), 'latin1');
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        const pieces = frame(new HttpFramer('request'), stream, cuts);
        expect(messages(pieces)).toEqual([
          ['GET', requests[0]],
          ['POST', requests[1]],
          ['PUT', requests[2]],
          ['DELETE', requests[3]],
        ]);
        expect(pieces.filter((p) => p.last)).toHaveLength(4);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the path without its query and the method of each request', () => {
    const [first] = new HttpFramer('request').feed(Buffer.from(requests[0] as string));
    expect(first?.head).toEqual({ method: 'GET', path: '/users/1', status: 0 });
  });

  it('frames responses: HEAD answers, 204 and 1xx have no body; no length reads to the close', () => {
    let head = true;
    const framer = new HttpFramer('response', () => (head ? 'HEAD' : 'GET'));
    const out = framer.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n'));
    expect(out.map((p) => p.last)).toEqual([true]);
    head = false;
    const next = framer.feed(
      Buffer.from(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\nrest',
      ),
    );
    expect(messages(next).map(([s]) => s)).toEqual(['100', '204', '200', '200']);
    expect(next[next.length - 1]).toMatchObject({ last: false });
  });

  it('turns opaque on bytes that are not HTTP/1.x and passes them whole', () => {
    for (const text of ['\u0000\u0000\u0000\bpostgres', 'PING\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']) {
      const framer = new HttpFramer('request');
      const pieces = framer.feed(Buffer.from(text, 'latin1'));
      expect(framer.opaque).toBe(true);
      expect(Buffer.concat(pieces.map((p) => p.data)).toString('latin1')).toBe(text);
    }
  });
});

describe('compileMatch', () => {
  it.each([
    [{ method: 'get', path: '/users/*' }, 'GET', '/users/42', true],
    [{ method: 'GET', path: '/users/*' }, 'GET', '/users/42/profile', false],
    [{ path: '/users/**' }, 'POST', '/users/42/profile', true],
    [{ method: 'POST' }, 'GET', '/users', false],
    [undefined, 'PATCH', '/anything', true],
    [{ path: '/a.b' }, 'GET', '/axb', false],
  ])('%j matches %s %s: %s', (match, method, path, expected) => {
    expect(compileMatch(match)(method, path)).toBe(expected);
  });
});

describe('StratifiedDraw', () => {
  it('hits its ratio within ±1 point over 10,000 draws for any seed, the same for the same seed', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat({ max: 9999 }),
        (seed, ratio, extra) => {
          const draw = new StratifiedDraw(seed, ratio);
          const again = new StratifiedDraw(seed, ratio);
          const n = 10_000 + extra;
          let hits = 0;
          for (let i = 0; i < n; i++) {
            const hit = draw.next();
            if (hit !== again.next()) return false;
            if (hit) hits++;
          }
          return Math.abs(hits / n - ratio) <= 0.01;
        },
      ),
      { numRuns: 50 },
    );
  });

  it('spreads hits differently for different seeds', () => {
    const seq = (seed: number): boolean[] => {
      const draw = new StratifiedDraw(seed, 0.3);
      return Array.from({ length: 100 }, () => draw.next());
    };
    expect(seq(1)).not.toEqual(seq(2));
  });
});
