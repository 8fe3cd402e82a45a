/**
 * One direction of a proxied connection: reads chunks from `src`, runs each through the toxics
 * currently attached to the direction, and writes what comes out to `dst`.
 *
 * ```
 *  src socket --data--> inbox (chunk + arrival time; src paused above 1 MiB)
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
 * With no toxics and nothing queued, a chunk is written straight through.
 */
import type { Socket } from 'node:net';
import type { Chunk, ToxicConfig, ToxicRun } from './toxic.js';

/** A toxic attached to one direction of one connection. */
export interface AttachedToxic {
  readonly config: ToxicConfig;
  readonly run: ToxicRun;
  readonly controller: AbortController;
}

/** What a link needs from its connection. */
export interface LinkOwner {
  readonly closed: boolean;
  fail(err: unknown): void;
}

const highWaterBytes = 1024 * 1024;

export class Link {
  /** Replaced, never mutated, so a chunk in flight keeps a consistent snapshot. */
  chain: readonly AttachedToxic[] = [];
  private readonly inbox: Chunk[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private srcEnded = false;
  private endSent = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly owner: LinkOwner,
    private readonly now: () => number,
  ) {
    src.on('data', (data: Buffer) => this.push(data));
    src.on('end', () => {
      this.srcEnded = true;
      this.kick();
    });
  }

  private push(data: Buffer): void {
    if (this.owner.closed) return;
    if (!this.pumping && this.inbox.length === 0 && this.chain.length === 0 && !this.srcEnded) {
      if (!this.dst.write(data)) {
        this.src.pause();
        this.dst.once('drain', () => this.src.resume());
      }
      return;
    }
    this.inbox.push({ data, at: this.now() });
    this.queuedBytes += data.length;
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
        await this.stage(this.chain, 0, chunk);
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
