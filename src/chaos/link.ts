/**
 * One direction of a proxied connection: reads chunks from `src`, runs each through the toxics
 * currently attached to the direction, and writes what comes out to `dst`.
 *
 * ```
 *  src socket --data--> [filter: HTTP framing and faults, see http/http-exchange.ts]
 *                         |
 *                         v
 *                       inbox (chunk + arrival time, optional hold and effect; src paused above 1 MiB)
 *                         |
 *                         v   one chunk at a time, in order
 *               chain snapshot taken for this chunk:
 *               toxic[0].chunk(c, next) -> toxic[1].chunk(c, next) -> ... -> dst.write (waits on drain)
 *                         |
 *  src 'end' ---------> after the inbox drains: each toxic's end() (slow_close), then dst.end()
 * ```
 *
 * Adding or removing a toxic swaps the chain array; the chunk in flight keeps the snapshot it
 * started with, the next chunk sees the new chain. A removed toxic's signal aborts, so a chunk
 * it is holding (latency, timeout) is released at once and passes on, never lost or reordered.
 * With no toxics and nothing queued, a chunk is written straight through; with no filter either
 * (the connection frames HTTP only while an HTTP fault is set, see connection.ts), a link is a
 * byte copy with backpressure: `data` → `dst.write`, `src` paused until `drain` when it is full.
 */
import type { Socket } from 'node:net';
import type { LinkItem } from './http/http-exchange.js';
import { sleepUntil, type Chunk, type ToxicConfig, type ToxicRun } from './toxic.js';

/** A toxic attached to one direction of one connection. */
export interface AttachedToxic {
  readonly config: ToxicConfig;
  readonly run: ToxicRun;
  readonly controller: AbortController;
}

/** What a link needs from its connection. */
export interface LinkOwner {
  readonly closed: boolean;
  /** Aborted when the connection stops; ends any hold at once. */
  readonly signal: AbortSignal;
  fail(err: unknown): void;
}

/** Sees a direction's bytes before the toxics (the HTTP layer): items to queue, or undefined to pass them as they are. */
export type LinkFilter = (data: Buffer) => LinkItem[] | undefined;

type Queued = Chunk & { holdUntil?: number; effect?: () => void };

const highWaterBytes = 1024 * 1024;

export class Link {
  /** Replaced, never mutated, so a chunk in flight keeps a consistent snapshot. */
  chain: readonly AttachedToxic[] = [];
  private readonly inbox: Queued[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private srcEnded = false;
  private endSent = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly owner: LinkOwner,
    private readonly now: () => number,
    private readonly filter?: LinkFilter,
  ) {
    src.on('data', (data: Buffer) => this.push(data));
    src.on('end', () => {
      this.srcEnded = true;
      this.kick();
    });
  }

  private push(data: Buffer): void {
    if (this.owner.closed) return;
    const items = this.filter?.(data);
    if (items === undefined) {
      if (this.idle()) this.writeNow(data);
      else this.enqueue({ data, at: this.now() });
      return;
    }
    this.inject(items);
  }

  /** Queues items behind what this direction already holds (or writes plain bytes at once when idle). */
  inject(items: readonly LinkItem[]): void {
    if (this.owner.closed) return;
    if (this.idle() && items.every((item) => item.holdUntil === undefined && item.effect === undefined)) {
      for (const item of items) if (item.data.length > 0) this.writeNow(item.data);
      return;
    }
    const at = this.now();
    for (const item of items) this.enqueue({ ...item, at });
  }

  /** True when nothing is queued, held or being written on this direction. */
  get quiet(): boolean {
    return !this.pumping && this.inbox.length === 0;
  }

  private idle(): boolean {
    return !this.pumping && this.inbox.length === 0 && this.chain.length === 0 && !this.srcEnded;
  }

  private writeNow(data: Buffer): void {
    if (!this.dst.write(data) && !this.src.isPaused()) {
      this.src.pause();
      this.dst.once('drain', () => this.src.resume());
    }
  }

  private enqueue(item: Queued): void {
    this.inbox.push(item);
    this.queuedBytes += item.data.length;
    if (this.queuedBytes > highWaterBytes) this.src.pause();
    this.kick();
  }

  private kick(): void {
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        if (this.owner.closed) return;
        const chunk = this.inbox.shift();
        if (chunk === undefined) break;
        this.queuedBytes -= chunk.data.length;
        if (this.queuedBytes <= highWaterBytes / 2 && this.src.isPaused()) this.src.resume();
        if (chunk.holdUntil !== undefined) await sleepUntil(chunk.holdUntil, this.now, this.owner.signal);
        if (this.owner.closed) return;
        if (chunk.data.length > 0) await this.stage(this.chain, 0, { data: chunk.data, at: chunk.at });
        chunk.effect?.();
      }
      if (this.srcEnded && !this.endSent) {
        this.endSent = true;
        for (const toxic of this.chain) {
          if (!toxic.controller.signal.aborted) await toxic.run.end?.();
        }
        if (!this.owner.closed) this.dst.end();
      }
    } catch (err) {
      this.owner.fail(err);
    } finally {
      this.pumping = false;
    }
  }

  private stage(chain: readonly AttachedToxic[], index: number, chunk: Chunk): Promise<void> {
    const toxic = chain[index];
    if (toxic === undefined) return this.write(chunk);
    if (toxic.run.chunk === undefined || toxic.controller.signal.aborted) {
      return this.stage(chain, index + 1, chunk);
    }
    return toxic.run.chunk(chunk, (next) => this.stage(chain, index + 1, next));
  }

  private write(chunk: Chunk): Promise<void> {
    const dst = this.dst;
    if (this.owner.closed || dst.destroyed || dst.writableEnded) return Promise.resolve();
    if (dst.write(chunk.data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        dst.off('drain', done);
        dst.off('close', done);
        resolve();
      };
      dst.on('drain', done);
      dst.on('close', done);
    });
  }
}
