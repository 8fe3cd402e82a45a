/**
 * Why bytes could not be framed as HTTP/1.1 messages. A framing error is the peer's fault, not the
 * framer's: the load engine counts it as the error kind `framing`, the fault proxy stops framing and
 * passes the bytes on untouched.
 */
export type FramingErrorCode =
  /** The first line is not an HTTP/1.x request or status line (or the status is outside 100–599). */
  | 'start-line'
  /** A line of the head ended with a bare LF instead of CRLF. */
  | 'line-ending'
  /** The head did not end within the size limit. */
  | 'head-too-large'
  /** Content-Length is not a plain decimal, or its values disagree. */
  | 'content-length'
  /** Transfer-Encoding is empty, repeats chunked, sits in an HTTP/1.0 message, or (request) does not end in chunked. */
  | 'transfer-encoding'
  /** A chunk-size line, the CRLF after a chunk's data, or the trailer section is malformed or too large. */
  | 'chunk'
  /** The peer switched protocols (101, or a 2xx to CONNECT) where the reader cannot follow. */
  | 'upgrade';

/** Bytes that are not a well-framed HTTP/1.1 message; `code` says which rule they broke. */
export class FramingError extends Error {
  override name = 'FramingError';

  constructor(
    readonly code: FramingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The first `max` characters of `text`, printable, for an error message. */
export function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
