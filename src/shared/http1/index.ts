/**
 * The HTTP/1.1 framing core (RFC 9112 §2–7) shared by the load engine's response framer and the
 * fault proxy's framer: where a head ends, what its first line and framing fields say, how its
 * body is delimited and where that body ends. Each caller keeps a thin adapter with its own policy
 * (the engine counts a framing error as a failed request; the proxy stops framing and passes bytes on).
 */
export { BodyReader, maxChunkLine, maxTrailerBytes } from './body-reader.js';
export { bodyKind, type BodyKind } from './body-framing.js';
export { badLength, noLength, readContentLength } from './content-length.js';
export { FramingError, type FramingErrorCode } from './framing-error.js';
export { HeadReader, maxHeadBytes } from './head-reader.js';
export { parseHead, type MessageHead } from './message-head.js';
export { canStartLine, parseStartLine, statusOf, type MessageSide, type StartLine } from './start-line.js';
export { readTransferCoding, type TransferCoding } from './transfer-coding.js';
