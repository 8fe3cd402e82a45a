/**
 * One keep-alive HTTP/1.1 connection of the journey engine: one request at a time, answers framed
 * by the shared HTTP/1.1 core, and, only when the step asks (its captures and checks read them),
 * the answer's head text and body kept for it. The plain request mix keeps its own leaner
 * connection (http-connection.ts), which keeps nothing.
 *
 *   engine ─send(text, sentMs, keep)─▶ socket ─▶ target
 *      └── onAnswer(answer) ◀── head (kept?) + body (kept? chunked coding removed) ◀── 'data'
 *      └── onFailure(kind, pending) when the socket fails, closes, times out or mis-frames
 */
import { connect, type Socket } from 'node:net';
import { BodyReader, bodyKind, FramingError, HeadReader, parseHead } from '../shared/index.js';
import { transportErrorKind, type TransportErrorKind } from './error-kind.js';
import type { StepAnswer } from './flow-check.js';
import type { ConnectionTarget } from './http-connection.js';

/** A complete answer and its size on the wire. */
export interface JourneyAnswer extends StepAnswer {
  bytes: number;
}

export interface JourneyConnectionEvents {
  onAnswer(connection: JourneyConnection, answer: JourneyAnswer): void;
  /** The connection is closed; `pending` says whether a request was waiting for its answer. */
  onFailure(connection: JourneyConnection, kind: TransportErrorKind, pending: boolean): void;
}

/** What of the answer to keep. */
export interface Keep {
  head: boolean;
  body: boolean;
}

export class JourneyConnection {
  readonly #socket: Socket;
  readonly #events: JourneyConnectionEvents;
  readonly #heads = new HeadReader('response');
  readonly #body = new BodyReader();
  #pending = false;
  #closed = false;
  #head = false;
  #keep: Keep = { head: false, body: false };
  #inBody = false;
  #chunked = false;
  #status = 0;
  #headText: string | undefined;
  #parts: Buffer[] = [];
  #bytes = 0;
  #bodyBytes = 0;
  #close = false;
  /** Run-clock ms the pending request was written. */
  sentMs = 0;

  constructor(target: ConnectionTarget, events: JourneyConnectionEvents) {
    this.#events = events;
    this.#socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => {
      try {
        this.#feed(chunk);
      } catch (error) {
        if (error instanceof FramingError) this.#fail('framing');
        else throw error;
      }
    });
    this.#socket.on('end', () => {
      if (this.#inBody && this.#body.untilClose) {
        this.#close = true;
        this.#done();
      }
      this.#fail('reset');
    });
    this.#socket.on('error', (error) => this.#fail(transportErrorKind(error)));
    this.#socket.on('close', () => this.#fail('reset'));
  }

  /** A request is waiting for its answer. */
  get busy(): boolean {
    return this.#pending;
  }

  get closed(): boolean {
    return this.#closed || this.#close;
  }

  /** Writes one request; `head` says its answer has no body (HEAD). */
  send(text: string, sentMs: number, keep: Keep, head = false): void {
    this.#pending = true;
    this.#head = head;
    this.#keep = keep;
    this.sentMs = sentMs;
    this.#socket.write(text);
  }

  timeOut(): void {
    this.#fail('timeout');
  }

  /** Closes without an `onFailure`; returns whether a request was still waiting. */
  close(): boolean {
    const pending = !this.#closed && this.#pending;
    this.#closed = true;
    this.#pending = false;
    this.#socket.destroy();
    return pending;
  }

  #feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#inBody) {
        const end = this.#body.read(chunk, at);
        if (this.#keep.body) this.#parts.push(chunk.subarray(at, end));
        this.#bodyBytes += end - at;
        at = end;
        if (this.#body.done) this.#done();
        continue;
      }
      const held = this.#heads.held;
      const end = this.#heads.find(chunk, at);
      if (end < 0) return;
      const text = this.#heads.text(chunk, at, end);
      this.#bytes = held + end - at;
      at = end;
      const head = parseHead(text, 'response');
      if (head.status < 200) {
        if (head.status === 101)
          throw new FramingError('upgrade', 'the target switched protocols (101) unasked');
        continue;
      }
      this.#status = head.status;
      this.#close = head.close;
      this.#headText = this.#keep.head ? text : undefined;
      this.#parts = [];
      this.#bodyBytes = 0;
      const kind = bodyKind(head, 'response', this.#head ? 'HEAD' : undefined);
      if (kind === 'none') {
        this.#done();
        continue;
      }
      if (kind !== 'length' && kind !== 'chunked' && kind !== 'until-close')
        throw new FramingError('upgrade', `a ${head.status} response the engine cannot follow`);
      this.#chunked = kind === 'chunked';
      this.#body.start(kind, head.contentLength);
      if (this.#body.done) this.#done();
      else this.#inBody = true;
    }
  }

  #done(): void {
    this.#inBody = false;
    const raw = this.#keep.body ? Buffer.concat(this.#parts) : undefined;
    this.#parts = [];
    const answer: JourneyAnswer = {
      status: this.#status,
      head: this.#headText,
      body: raw !== undefined && this.#chunked ? dechunk(raw) : raw,
      bodyBytes: this.#bodyBytes,
      bytes: this.#bytes + this.#bodyBytes,
    };
    this.#pending = false;
    this.#events.onAnswer(this, answer);
    if (this.#close) this.#fail('reset');
  }

  #fail(kind: TransportErrorKind): void {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending;
    this.#pending = false;
    this.#socket.destroy();
    this.#events.onFailure(this, kind, pending);
  }
}

/** The data of a chunked body (already checked by the framer): sizes, extensions and trailers dropped. */
export function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(raw.toString('latin1', at, eol).split(';')[0] ?? '0', 16);
    if (!(size > 0)) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
