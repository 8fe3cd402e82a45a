/**
 * Reads a body to its end, whatever the reads' sizes: a known length, the chunked coding (RFC 9112
 * §7.1: hex sizes with optional extensions, each chunk's data followed by CRLF, then trailer
 * fields and an empty line), or everything up to the close. It does not keep the bytes: it says
 * where the body ends. The chunked coding is read a byte at a time through a small state machine
 * (chunk data is skipped whole), so nothing is buffered between reads.
 *
 *   size ─(;ext)─ CRLF ─▶ data[size] ─ CRLF ─▶ size ... 0 CRLF ─▶ trailer lines ─ CRLF ─▶ done
 */
import { FramingError } from './framing-error.js';

/** Longest chunk-size line, extensions included (bytes). */
export const maxChunkLine = 4096;
/** Largest trailer section (bytes). */
export const maxTrailerBytes = 64 * 1024;

const enum Kind {
  Done,
  Length,
  Chunked,
  UntilClose,
}

const enum Chunk {
  Size,
  SizeSpace,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  EndLf,
}

const maxSafe = Number.MAX_SAFE_INTEGER;

/** One body at a time: `start`, then `read` until `done`. */
export class BodyReader {
  #kind = Kind.Done;
  #left = 0;
  #chunk = Chunk.Size;
  #digits = 0;
  #lineBytes = 0;
  #trailerBytes = 0;

  /** Starts a body: `length` bytes, the chunked coding, or up to the close. */
  start(kind: 'length' | 'chunked' | 'until-close', length = 0): void {
    if (kind === 'length') {
      this.#kind = length > 0 ? Kind.Length : Kind.Done;
      this.#left = length;
    } else if (kind === 'chunked') {
      this.#kind = Kind.Chunked;
      this.#chunk = Chunk.Size;
      this.#left = 0;
      this.#digits = 0;
      this.#lineBytes = 0;
      this.#trailerBytes = 0;
    } else this.#kind = Kind.UntilClose;
  }

  /** True when the body has ended (or none was started). */
  get done(): boolean {
    return this.#kind === Kind.Done;
  }

  /** True while the body runs up to the close of the connection. */
  get untilClose(): boolean {
    return this.#kind === Kind.UntilClose;
  }

  /**
   * Consumes body bytes of `data` from `at`; returns the index past the last one consumed, which
   * is where the body ends once {@link done}. Throws a {@link FramingError} (`chunk`).
   */
  read(data: Buffer, at: number): number {
    switch (this.#kind) {
      case Kind.Length: {
        const take = Math.min(this.#left, data.length - at);
        this.#left -= take;
        if (this.#left === 0) this.#kind = Kind.Done;
        return at + take;
      }
      case Kind.Chunked:
        return this.#chunked(data, at);
      case Kind.UntilClose:
        return data.length;
      default:
        return at;
    }
  }

  #chunked(data: Buffer, from: number): number {
    let at = from;
    const n = data.length;
    while (at < n) {
      const state = this.#chunk;
      if (state === Chunk.Data) {
        const take = Math.min(this.#left, n - at);
        this.#left -= take;
        at += take;
        if (this.#left === 0) this.#chunk = Chunk.DataCr;
        continue;
      }
      if (state === Chunk.DataCr && at + 1 < n && data[at] === 13 && data[at + 1] === 10) {
        at += 2;
        this.#chunk = Chunk.Size;
        continue;
      }
      if (state === Chunk.Size && this.#digits === 0) {
        // The common line, whole in this read: up to 13 hex digits (below 2^53) and CRLF.
        const line = this.#sizeLine(data, at);
        if (line > 0) {
          at = line;
          if (this.#left > 0) this.#chunk = Chunk.Data;
          else if (at + 1 < n && data[at] === 13 && data[at + 1] === 10) {
            // The last chunk with no trailers: the body ends here.
            this.#kind = Kind.Done;
            return at + 2;
          } else this.#chunk = Chunk.TrailerStart;
          continue;
        }
      }
      at = this.#step(data[at] as number, at + 1);
      if (this.#kind === Kind.Done) return at;
    }
    return at;
  }

  /**
   * Reads a whole chunk-size line without extensions at `at` into `#left`: returns the index past
   * its CRLF, or -1 (nothing read) when the line is not that simple or not whole in this read.
   */
  #sizeLine(data: Buffer, at: number): number {
    let size = 0;
    let i = at;
    const stop = Math.min(data.length, at + 13);
    for (; i < stop; i++) {
      const h = hexValue(data[i] as number);
      if (h < 0) break;
      size = size * 16 + h;
    }
    if (i === at || i + 1 >= data.length || data[i] !== 13 || data[i + 1] !== 10) return -1;
    this.#left = size;
    return i + 2;
  }

  /** One byte `c` of the chunked coding outside chunk data, by the state machine; returns `next`. */
  #step(c: number, next: number): number {
    switch (this.#chunk) {
      case Chunk.Size: {
        const h = hexValue(c);
        if (h >= 0) {
          if (this.#left > (maxSafe - h) / 16) throw chunkError('a chunk size beyond 2^53');
          this.#left = this.#left * 16 + h;
          this.#digits++;
        } else if (this.#digits === 0) throw chunkError(`a chunk-size line starting with ${show(c)}`);
        else if (c === 13) this.#chunk = Chunk.SizeLf;
        else if (c === 59 /* ; */) this.#chunk = Chunk.Extension;
        else if (c === 32 || c === 9) this.#chunk = Chunk.SizeSpace;
        else throw chunkError(`${show(c)} in a chunk size`);
        this.#lineLimit();
        break;
      }
      case Chunk.SizeSpace:
        // Whitespace after the size is allowed only before an extension (BWS ";").
        if (c === 59) this.#chunk = Chunk.Extension;
        else if (c !== 32 && c !== 9) throw chunkError(`${show(c)} after a chunk size`);
        this.#lineLimit();
        break;
      case Chunk.Extension:
        if (c === 13) this.#chunk = Chunk.SizeLf;
        else if (c === 10) throw chunkError('a chunk-size line ended by a bare LF');
        this.#lineLimit();
        break;
      case Chunk.SizeLf:
        if (c !== 10) throw chunkError('a CR in a chunk-size line not followed by LF');
        this.#chunk = this.#left === 0 ? Chunk.TrailerStart : Chunk.Data;
        this.#digits = 0;
        this.#lineBytes = 0;
        break;
      case Chunk.DataCr:
        if (c !== 13) throw chunkError(`${show(c)} where CRLF should end a chunk's data`);
        this.#chunk = Chunk.DataLf;
        break;
      case Chunk.DataLf:
        if (c !== 10) throw chunkError(`${show(c)} where CRLF should end a chunk's data`);
        this.#chunk = Chunk.Size;
        break;
      case Chunk.TrailerStart:
        this.#trailerLimit();
        if (c === 13) this.#chunk = Chunk.EndLf;
        else if (c === 10) throw chunkError('a trailer line ended by a bare LF');
        else this.#chunk = Chunk.TrailerLine;
        break;
      case Chunk.TrailerLine:
        this.#trailerLimit();
        if (c === 13) this.#chunk = Chunk.TrailerLf;
        else if (c === 10) throw chunkError('a trailer line ended by a bare LF');
        break;
      case Chunk.TrailerLf:
        this.#trailerLimit();
        if (c !== 10) throw chunkError('a CR in a trailer line not followed by LF');
        this.#chunk = Chunk.TrailerStart;
        break;
      case Chunk.EndLf:
        if (c !== 10) throw chunkError('a CR ending the trailers not followed by LF');
        this.#kind = Kind.Done;
        break;
      default:
        break;
    }
    return next;
  }

  #lineLimit(): void {
    if (++this.#lineBytes > maxChunkLine) throw chunkError(`a chunk-size line over ${maxChunkLine} bytes`);
  }

  #trailerLimit(): void {
    if (++this.#trailerBytes > maxTrailerBytes) throw chunkError(`trailers over ${maxTrailerBytes} bytes`);
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

function show(c: number): string {
  return c >= 33 && c <= 126 ? `"${String.fromCharCode(c)}"` : `byte ${c}`;
}

function chunkError(what: string): FramingError {
  return new FramingError('chunk', what);
}
