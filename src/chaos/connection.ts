/**
 * One client connection through a proxy and its connection to the upstream: two {@link Link}s,
 * the toxics attached to each, and the ways it can end (closed, reset, failed).
 */
import type { Socket } from 'node:net';
import { createRandom, deriveSeed, type Random } from '../../protocol/index.js';
import { HttpExchange } from './http/http-exchange.js';
import { Link, type AttachedToxic } from './link.js';
import { toxicKinds } from './toxic-registry.js';
import type { ToxicConfig, ToxicEnv } from './toxic.js';

/** How long a closing socket may take to flush before it is destroyed anyway, ms. */
const closeGraceMs = 2000;

/**
 * Whether a toxic applies to the connection with this index: a draw from a stream seeded by the
 * proxy's seed, the connection's accept order and the toxic's name, so the same seed gives the
 * same choices however the connections interleave.
 */
export function toxicApplies(seed: number, connection: number, toxic: string, toxicity: number): boolean {
  if (toxicity >= 1) return true;
  if (toxicity <= 0) return false;
  return createRandom(deriveSeed(seed, `toxicity/${connection}/${toxic}`)).next() < toxicity;
}

/** What a connection needs from its proxy for HTTP faults. */
export interface HttpFaultSource {
  /** The proxy's HTTP faults now. */
  faults(): readonly ToxicConfig[];
  /** The next seeded choice for `fault`: true when the request is hit. */
  draw(fault: ToxicConfig): boolean;
}

export class Connection {
  closed = false;
  private readonly stopping = new AbortController();
  readonly signal = this.stopping.signal;
  private readonly upstreamLink: Link;
  private readonly downstreamLink: Link;
  private readonly attached = new Map<string, AttachedToxic>();

  constructor(
    readonly index: number,
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly seed: number,
    private readonly now: () => number,
    private readonly onFail: (err: unknown) => void,
    http?: HttpFaultSource,
  ) {
    const exchange =
      http === undefined
        ? undefined
        : new HttpExchange({
            now,
            faults: () => http.faults(),
            draw: (fault) => http.draw(fault),
            inject: (items) => this.downstreamLink.inject(items),
            close: () => this.close(),
          });
    this.upstreamLink = new Link(client, server, this, now, exchange && ((data) => exchange.upstream(data)));
    this.downstreamLink = new Link(
      server,
      client,
      this,
      now,
      exchange && ((data) => exchange.downstream(data)),
    );
    for (const socket of [client, server]) {
      socket.on('error', () => this.destroy());
      socket.on('close', (hadError) => {
        const other = socket === client ? server : client;
        if (hadError) this.destroy();
        else endThenDestroy(other);
      });
    }
  }

  /** Starts `config` on this connection, when its toxicity draw says so. */
  attach(config: ToxicConfig): void {
    if (this.closed || !toxicApplies(this.seed, this.index, config.name, config.toxicity)) return;
    const kind = toxicKinds.get(config.type);
    if (kind === undefined) return;
    const controller = new AbortController();
    const env: ToxicEnv = {
      now: this.now,
      random: this.randomFor(config.name),
      signal: controller.signal,
      close: () => this.close(),
      reset: () => this.reset(),
    };
    const toxic: AttachedToxic = { config, run: kind.start(config.attributes, env), controller };
    this.attached.set(config.name, toxic);
    const link = this.linkFor(config);
    link.chain = [...link.chain, toxic];
  }

  /** Removes the toxic named `name`; what it holds passes on at once. */
  detach(name: string): void {
    const toxic = this.attached.get(name);
    if (toxic === undefined) return;
    this.attached.delete(name);
    const link = this.linkFor(toxic.config);
    link.chain = link.chain.filter((t) => t !== toxic);
    toxic.controller.abort();
  }

  /** Ends both sides after what was already written is flushed (FIN). */
  close(): void {
    if (!this.stop()) return;
    endThenDestroy(this.client);
    endThenDestroy(this.server);
  }

  /** Resets both sides (RST). */
  reset(): void {
    if (!this.stop()) return;
    for (const socket of [this.client, this.server]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
  }

  /** Cuts both sides at once. */
  destroy(): void {
    this.stop();
    this.client.destroy();
    this.server.destroy();
  }

  /** A stage failed: the connection cannot go on consistently, so it is cut and the owner told. */
  fail(err: unknown): void {
    this.destroy();
    this.onFail(err);
  }

  private stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.stopping.abort();
    for (const toxic of this.attached.values()) toxic.controller.abort();
    this.attached.clear();
    return true;
  }

  private linkFor(config: ToxicConfig): Link {
    return config.stream === 'upstream' ? this.upstreamLink : this.downstreamLink;
  }

  private randomFor(toxic: string): Random {
    return createRandom(deriveSeed(this.seed, `toxic/${this.index}/${toxic}`));
  }
}

function endThenDestroy(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), closeGraceMs);
  timer.unref();
  socket.end(() => {
    clearTimeout(timer);
    socket.destroy();
  });
}
