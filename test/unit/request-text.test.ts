import { describe, expect, it } from 'vitest';
import { compileRequestMix } from '../../src/load/request-mix.js';
import { requestHeaders, requestSource, requestText, statusCheck } from '../../src/load/request-text.js';
import { createRandom } from '../../protocol/random.js';

describe('requestText', () => {
  it('writes a keep-alive HTTP/1.1 request with the host, headers and a sized JSON body', () => {
    const text = requestText('127.0.0.1:8080', {
      index: 0,
      method: 'POST',
      path: '/users',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"zoë"}',
    });
    expect(text).toBe(
      'POST /users HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{"name":"zoë"}',
    );
  });

  it('sends no body and no length on a GET', () => {
    expect(requestText('h:1', { index: 0, method: 'GET', path: '/a?b=1', headers: {} })).toBe(
      'GET /a?b=1 HTTP/1.1\r\nhost: h:1\r\n\r\n',
    );
  });
});

describe('requestSource', () => {
  it('serialises a static mix once and a templated one on every call', () => {
    const fixed = requestSource(compileRequestMix([{ path: '/x' }], createRandom(1)), 'h:1');
    expect(fixed()).toBe(fixed());
    const varying = requestSource(compileRequestMix([{ path: '/u/{{seq}}' }], createRandom(1)), 'h:1');
    expect([varying().text, varying().text]).toEqual([
      'GET /u/1 HTTP/1.1\r\nhost: h:1\r\n\r\n',
      'GET /u/2 HTTP/1.1\r\nhost: h:1\r\n\r\n',
    ]);
  });
});

describe('statusCheck', () => {
  const check = statusCheck([{}, { expectStatus: [200, 404] }]);
  it.each([
    [0, 200, undefined],
    [0, 302, undefined],
    [0, 404, '4xx'],
    [0, 503, '5xx'],
    [1, 404, undefined],
    [1, 201, '2xx'],
    [1, 500, '5xx'],
  ])('request %i answered %i counts as %s', (index, status, kind) => {
    expect(check(index, status)).toBe(kind);
  });
});

describe('headers added to every request (--header)', () => {
  const request = { index: 0, method: 'GET', path: '/a?b=1', headers: { 'X-Trace': 'own' } };

  it('go on each HTTP/1.1 request unless it sets the same name itself', () => {
    const text = requestText('api.example.com', request, { authorization: 'Bearer t', 'x-trace': 'flag' });
    expect(text).toBe(
      'GET /a?b=1 HTTP/1.1\r\nhost: api.example.com\r\nauthorization: Bearer t\r\nX-Trace: own\r\n\r\n',
    );
  });

  it('make an HTTP/2 header block with the pseudo-headers, lower-cased names, no connection fields', () => {
    const headers = requestHeaders(
      'api.example.com',
      'https',
      { ...request, headers: { ...request.headers, Connection: 'keep-alive' } },
      { Authorization: 'Bearer t' },
    );
    expect(headers).toEqual({
      ':method': 'GET',
      ':path': '/a?b=1',
      ':scheme': 'https',
      ':authority': 'api.example.com',
      authorization: 'Bearer t',
      'x-trace': 'own',
    });
  });
});
