/**
 * The HTTP layer of one proxied connection: frames requests and responses, decides each request's
 * HTTP faults, and keeps answers in request order even when requests are pipelined.
 *
 * ```
 *  client ─req─▶ upstream(): frame ─▶ decide ─┬─ forward (maybe held `delay` ms) ─────▶ server
 *                                             └─ http_status: drop it, queue an answer
 *  client ◀──── downstream(): frame responses ◀──────────────────────────────────────── server
 *                 after each response ends: the queued answers now at the head of the line
 * ```
 *
 * `pending` lists every request not yet answered, in order; an injected answer leaves only when
 * everything before it has been answered, so a keep-alive client never sees responses out of order.
 */
import type { ToxicConfig } from '../toxic.js';
import { compileMatch, syntheticResponse, type RequestMatcher } from './http-fault-kinds.js';
import { HttpFramer, type HttpHead } from './http-framer.js';

/** What a link queues: bytes, optionally held until `holdUntil` (ms), then an effect, in order. */
export interface LinkItem {
  data: Buffer;
  holdUntil?: number;
  effect?: () => void;
}

/** What an exchange needs from its connection and proxy. */
export interface ExchangeHost {
  now(): number;
  /** The proxy's HTTP faults at this moment. */
  faults(): readonly ToxicConfig[];
  /** This request's draw for `fault`: true when it is hit (seeded, per proxy and fault). */
  draw(fault: ToxicConfig): boolean;
  /** Queues items on the downstream direction, behind what is already queued there. */
  inject(items: LinkItem[]): void;
  /** Ends the connection after what was passed on is flushed. */
  close(): void;
}

type Pending = { kind: 'forward'; method: string; cut: boolean } | { kind: 'answer'; data?: Buffer };

const matchers = new WeakMap<ToxicConfig, RequestMatcher>();

export class HttpExchange {
  private readonly requests = new HttpFramer('request');
  private readonly responses = new HttpFramer('response', (index) => this.forwardAt(index)?.method);
  private readonly pending: Pending[] = [];
  /** Forwarded requests answered and removed from `pending`: the response framer's index of `pending`'s first forward. */
  private answered = 0;
  private dropping = false;
  private cut: 'head' | 'body' | 'done' | undefined;
  private seenRequest = false;

  constructor(private readonly host: ExchangeHost) {}

  /** Client → server bytes; undefined when they pass as they are. */
  upstream(data: Buffer): LinkItem[] | undefined {
    if (this.requests.opaque) return undefined;
    if (this.responses.upgraded) {
      // The server switched protocols (101, or a CONNECT tunnel): the client's bytes are not HTTP now.
      const held = this.requests.passThrough();
      return held.length > 0 ? [{ data: Buffer.concat([held, data]) }] : undefined;
    }
    const items: LinkItem[] = [];
    const pieces = this.requests.feed(data);
    // Bytes that stopped looking like HTTP pass whole, even after a dropped request.
    if (this.requests.opaque) this.dropping = false;
    for (const piece of pieces) {
      if (piece.head === undefined) {
        if (!this.dropping) items.push({ data: piece.data });
        continue;
      }
      this.seenRequest = true;
      const item = this.decide(piece.head, piece.data);
      if (item !== undefined) items.push(item);
    }
    return items;
  }

  /** Server → client bytes; undefined when they pass as they are. */
  downstream(data: Buffer): LinkItem[] | undefined {
    if (this.cut === 'done') return [];
    if (!this.seenRequest || this.requests.opaque || this.responses.opaque) return undefined;
    const items: LinkItem[] = [];
    for (const piece of this.responses.feed(data)) {
      if (piece.head !== undefined) this.cut = this.firstForward()?.cut === true ? 'head' : undefined;
      if (this.cut !== undefined) {
        if (this.cutPiece(piece.data, piece.head !== undefined, piece.last, items)) return items;
        continue;
      }
      items.push({ data: piece.data });
      const informational = piece.head !== undefined && piece.head.status < 200;
      if (piece.last && !informational) {
        const done = this.firstForward();
        if (done !== undefined) {
          this.pending.splice(this.pending.indexOf(done), 1);
          this.answered++;
        }
        for (const data of this.readyAnswers()) items.push({ data });
      }
    }
    return items;
  }

  private decide(head: HttpHead, bytes: Buffer): LinkItem | undefined {
    let delay = 0;
    let status: ToxicConfig | undefined;
    let cut = false;
    for (const fault of this.host.faults()) {
      if (!matcherOf(fault)(head.method, head.path) || !this.host.draw(fault)) continue;
      if (fault.type === 'http_delay') delay += fault.attributes.delay ?? 0;
      else if (fault.type === 'http_status') status ??= fault;
      else if (fault.type === 'http_cut') cut = true;
    }
    const holdUntil = delay > 0 ? { holdUntil: this.host.now() + delay } : {};
    this.dropping = status !== undefined;
    if (status === undefined) {
      this.pending.push({ kind: 'forward', method: head.method, cut });
      return { data: bytes, ...holdUntil };
    }
    const answer: Pending = { kind: 'answer' };
    this.pending.push(answer);
    const response = syntheticResponse(
      status.attributes.status ?? 503,
      status.attributes.retry_after ?? 0,
      head.method,
    );
    // The request is dropped; once any delay has passed, its answer joins the line.
    return {
      data: Buffer.alloc(0),
      ...holdUntil,
      effect: () => {
        answer.data = response;
        const ready = this.readyAnswers();
        if (ready.length > 0) this.host.inject(ready.map((data) => ({ data })));
      },
    };
  }

  /** Passes the head and half of the first body piece of a response marked to be cut, then closes; true once cut. */
  private cutPiece(data: Buffer, isHead: boolean, last: boolean, items: LinkItem[]): boolean {
    const close = (): void => this.host.close();
    if (isHead && !last) {
      items.push({ data });
      this.cut = 'body';
      return false;
    }
    // A response with no body is cut halfway through its head.
    const keep = Math.floor(data.length / 2);
    items.push({ data: data.subarray(0, keep), effect: close });
    this.cut = 'done';
    return true;
  }

  /** Answers at the head of the line whose bytes are ready, removed from it. */
  private readyAnswers(): Buffer[] {
    const out: Buffer[] = [];
    for (
      let head = this.pending[0];
      head?.kind === 'answer' && head.data !== undefined;
      head = this.pending[0]
    ) {
      out.push(head.data);
      this.pending.shift();
    }
    return out;
  }

  private firstForward(): Extract<Pending, { kind: 'forward' }> | undefined {
    return this.forwardAt(this.answered);
  }

  /**
   * The forwarded request that the server's `index`-th final response answers. The response framer
   * may read several responses in one read before this exchange has seen any of them, so it counts
   * them itself; `answered` of them have left `pending` already.
   */
  private forwardAt(index: number): Extract<Pending, { kind: 'forward' }> | undefined {
    let skip = index - this.answered;
    for (const p of this.pending) if (p.kind === 'forward' && skip-- === 0) return p;
    return undefined;
  }
}

function matcherOf(fault: ToxicConfig): RequestMatcher {
  let matcher = matchers.get(fault);
  if (matcher === undefined) {
    matcher = compileMatch(fault.match);
    matchers.set(fault, matcher);
  }
  return matcher;
}
