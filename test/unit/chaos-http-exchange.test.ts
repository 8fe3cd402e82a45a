import { describe, expect, it } from 'vitest';
import { HttpExchange, type ExchangeHost, type LinkItem } from '../../src/chaos/http/http-exchange.js';

/** An exchange with no faults; what it would inject is collected. */
function exchange(): { exchange: HttpExchange; injected: LinkItem[] } {
  const injected: LinkItem[] = [];
  const host: ExchangeHost = {
    now: () => 0,
    faults: () => [],
    draw: () => false,
    inject: (items) => injected.push(...items),
    close: () => {},
  };
  return { exchange: new HttpExchange(host), injected };
}

const joined = (items: LinkItem[] | undefined): string =>
  Buffer.concat((items ?? []).map((i) => i.data)).toString('latin1');

describe('HttpExchange', () => {
  it('frames pipelined answers to HEAD then GET arriving in one read by the method each one answers', () => {
    const { exchange: x } = exchange();
    const requests = 'HEAD /a HTTP/1.1\r\nhost: t\r\n\r\nGET /b HTTP/1.1\r\nhost: t\r\n\r\n';
    expect(joined(x.upstream(Buffer.from(requests)))).toBe(requests);
    // The HEAD answer announces 11 bytes it does not send; the GET answer sends them.
    const answers =
      'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world';
    expect(joined(x.downstream(Buffer.from(answers)))).toBe(answers);
    // Still framing: a third request and its answer are framed, not passed through unframed.
    expect(x.upstream(Buffer.from('GET /c HTTP/1.1\r\nhost: t\r\n\r\n'))).toHaveLength(1);
    const third = x.downstream(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
    expect(third).toBeDefined();
    expect(joined(third)).toBe('HTTP/1.1 204 No Content\r\n\r\n');
  });
});
