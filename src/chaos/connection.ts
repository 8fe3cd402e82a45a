/**
 * One client connection through a proxy and its connection to the upstream: two {@link Link}s,
 * the toxics attached to each, and the ways it can end (closed, reset, failed).
 *
 * HTTP is framed only while the proxy has an HTTP fault: with none, bytes pass as they are (a
 * byte copy when no toxic is attached either). Adding the first HTTP fault switches an open
 * connection to framing at its next request boundary; removing the last switches it back there.
 *
 * ```
 *  pass-through ──(HTTP fault set, next read starts a request after the last answer)──▶ framed
 *  framed ──(no HTTP fault left, same boundary)──▶ pass-through
 * ```
 */
import type { Socket } from 'node:net';
import { createRandom, deriveSeed, type Random } from '../../protocol/index.js';
import { HttpExchange, type LinkItem } from './http/http-exchange.js';
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
  /** The HTTP layer while the connection is framed; undefined while its bytes pass as they are. */
  private exchange: HttpExchange | undefined;
  private upstreamChunks = 0;
  private lastChunkWentDownstream = false;

  constructor(
    readonly index: number,
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly seed: number,
    private readonly now: () => number,
    private readonly onFail: (err: unknown) => void,
    private readonly http?: HttpFaultSource,
  ) {
    if (http !== undefined && http.faults().length > 0) this.exchange = this.newExchange(http);
    const filtered = http !== undefined;
    this.upstreamLink = new Link(
      client,
      server,
      this,
      now,
      filtered ? (data) => this.upstream(data) : undefined,
    );
    this.downstreamLink = new Link(
      server,
      client,
      this,
      now,
      filtered ? (data) => this.downstream(data) : undefined,
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

  /** True while the connection frames HTTP (some HTTP fault is set, or was when it last switched). */
  get framed(): boolean {
    return this.exchange !== undefined;
  }

  private upstream(data: Buffer): LinkItem[] | undefined {
    const http = this.http as HttpFaultSource;
    const want = http.faults().length > 0;
    if (want !== (this.exchange !== undefined) && this.atRequestBoundary(data)) {
      this.exchange = want ? this.newExchange(http) : undefined;
    }
    this.upstreamChunks++;
    this.lastChunkWentDownstream = false;
    return this.exchange?.upstream(data);
  }

  private downstream(data: Buffer): LinkItem[] | undefined {
    this.lastChunkWentDownstream = true;
    return this.exchange?.downstream(data);
  }

  /**
   * Where framing may start or stop without the HTTP layer losing its place: a read that begins
   * with a request line, on a connection that is new or whose last bytes went to the client (the
   * previous request was answered), with nothing queued or held either way. A client that waits
   * for each answer, as connection pools do, meets this at its next request.
   */
  private atRequestBoundary(data: Buffer): boolean {
    return (
      (this.upstreamChunks === 0 || this.lastChunkWentDownstream) &&
      this.upstreamLink.quiet &&
      this.downstreamLink.quiet &&
      startsRequestLine(data)
    );
  }

  private newExchange(http: HttpFaultSource): HttpExchange {
    return new HttpExchange({
      now: this.now,
      faults: () => http.faults(),
      draw: (fault) => http.draw(fault),
      inject: (items) => this.downstreamLink.inject(items),
      close: () => this.close(),
    });
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

const requestLine = /^[A-Z]{3,12} [^\s]+ HTTP\/1\.[01]\r?\n/;

/** True when `data` begins with a whole HTTP/1.x request line (its first 8 KiB are looked at). */
function startsRequestLine(data: Buffer): boolean {
  const first = data[0];
  // Every method starts with an upper-case letter: most other bytes are turned away at once.
  if (first === undefined || first < 0x41 || first > 0x5a) return false;
  const end = data.indexOf(0x0a);
  if (end < 0 || end > 8192) return false;
  return requestLine.test(data.toString('latin1', 0, end + 1));
}
