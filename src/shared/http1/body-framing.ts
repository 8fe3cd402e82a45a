/**
 * How a message's body is delimited (RFC 9112 §6.3), decided from its head and, for a response,
 * the method of the request it answers:
 *
 *   response 1xx ─▶ informational (no body; the real response follows) · 101 ─▶ tunnel
 *   HEAD, 204, 304 ─▶ none · 2xx to CONNECT ─▶ tunnel
 *   Transfer-Encoding ─▶ chunked last: chunked · else response: until-close, request: invalid
 *   Content-Length ─▶ length (0 included) · invalid: error
 *   neither ─▶ request: none · response: until-close
 */
import { badLength, noLength } from './content-length.js';
import { FramingError } from './framing-error.js';
import type { MessageHead } from './message-head.js';
import type { MessageSide } from './start-line.js';
import { readTransferCoding } from './transfer-coding.js';

/**
 * `length`: `head.contentLength` bytes (maybe 0); `chunked`: the chunked coding; `until-close`:
 * everything up to the close of the connection; `none`: no body; `informational`: a 1xx head, the
 * final response follows; `tunnel`: the connection leaves HTTP after this head (101, CONNECT).
 */
export type BodyKind = 'none' | 'length' | 'chunked' | 'until-close' | 'informational' | 'tunnel';

/**
 * How the body after `head` is delimited. `requestMethod` is the method of the request a response
 * answers (undefined when unknown). Throws a {@link FramingError} when the framing fields are
 * invalid: `content-length` or `transfer-encoding`.
 */
export function bodyKind(head: MessageHead, side: MessageSide, requestMethod?: string): BodyKind {
  if (side === 'response') {
    const status = head.status;
    if (status < 200) return status === 101 ? 'tunnel' : 'informational';
    if (status === 204 || status === 304 || requestMethod === 'HEAD') return 'none';
    if (requestMethod === 'CONNECT' && status < 300) return 'tunnel';
  }
  if (head.transferEncoding !== undefined) {
    if (head.minor === 0) {
      throw new FramingError('transfer-encoding', 'Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1)');
    }
    if (readTransferCoding(head.transferEncoding) === 'chunked') return 'chunked';
    if (side === 'response') return 'until-close';
    throw new FramingError('transfer-encoding', 'a request whose Transfer-Encoding does not end in chunked');
  }
  if (head.contentLength === badLength) {
    throw new FramingError('content-length', 'Content-Length is not one plain decimal value');
  }
  if (head.contentLength !== noLength) return 'length';
  return side === 'request' ? 'none' : 'until-close';
}
