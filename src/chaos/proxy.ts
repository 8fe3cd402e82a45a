/**
 * A TCP proxy for one dependency: accepts connections on `listen`, connects each to `upstream`,
 * and runs every byte through the toxics of its direction (see link.ts for the chain).
 *
 * ```
 *  client ──► listen ──► [upstream link: toxics with stream "upstream"]   ──► upstream server
 *  client ◄──────────── [downstream link: toxics with stream "downstream"] ◄── upstream server
 * ```
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { apiErrors, ProxyApiError } from './api-error.js';
import { Connection, type HttpFaultSource } from './connection.js';
import { httpFaultKinds } from './http/http-fault-kinds.js';
import { StratifiedDraw } from './http/stratified-draw.js';
import { deriveSeed } from '../../protocol/index.js';
import { parseToxic } from './toxic-config.js';
import type { ToxicConfig } from './toxic.js';

/** How to build a proxy. */
export interface ProxyOptions {
  name: string;
  /** `host:port` to accept on; port 0 picks a free port. Default `127.0.0.1:0`. */
  listen?: string;
  /** `host:port` of the dependency. */
  upstream: string;
  /** When false the proxy refuses connections. Default true. */
  enabled?: boolean;
  /** Seeds toxicity draws, jitter and slicing; the same seed gives the same choices. Default 0. */
  seed?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** A proxy in Toxiproxy's JSON shape. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicConfig[];
}

/** Counters of a proxy; `openSockets` counts both the client and the upstream socket of each connection. */
export interface ProxyStats {
  openSockets: number;
  openConnections: number;
  acceptedConnections: number;
  /** Toxic failures that cut a connection (a bug in a toxic, never a peer's reset). */
  toxicErrors: number;
}

/** Builds a proxy and, when enabled, waits until it listens. */
export async function createProxy(options: ProxyOptions): Promise<Proxy> {
  const proxy = new Proxy(options);
  if (options.enabled ?? true) await proxy.setEnabled(true);
  return proxy;
}

export class Proxy {
  readonly name: string;
  private listenAt: HostPort;
  private upstreamAt: HostPort;
  private server: Server | undefined;
  private toxicList: readonly ToxicConfig[] = [];
  private readonly connections = new Set<Connection>();
  private readonly seed: number;
  private readonly now: () => number;
  private accepted = 0;
  private sockets = 0;
  private toxicErrors = 0;
  private lastToxicError: unknown;
  private change: Promise<void> = Promise.resolve();
  private httpFaultList: readonly ToxicConfig[] = [];
  private readonly draws = new WeakMap<ToxicConfig, StratifiedDraw>();
  private readonly http: HttpFaultSource = {
    faults: () => this.httpFaultList,
    draw: (fault) => {
      let draw = this.draws.get(fault);
      if (draw === undefined) {
        draw = new StratifiedDraw(deriveSeed(this.seed, `http/${fault.name}`), fault.toxicity);
        this.draws.set(fault, draw);
      }
      return draw.next();
    },
  };

  constructor(options: ProxyOptions) {
    if (options.name === '') throw apiErrors.missingField('name');
    this.name = options.name;
    this.listenAt = parseHostPort(options.listen ?? '127.0.0.1:0', 'listen');
    this.upstreamAt = parseHostPort(options.upstream, 'upstream');
    this.seed = options.seed ?? 0;
    this.now = options.now ?? (() => performance.now());
  }

  /** `host:port` it listens on; once listening, with the port actually bound. */
  get listen(): string {
    return formatHostPort(this.listenAt);
  }

  get upstream(): string {
    return formatHostPort(this.upstreamAt);
  }

  get enabled(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening, or stops: refuses new connections and cuts the open ones. */
  setEnabled(enabled: boolean): Promise<void> {
    return this.serialise(() => (enabled ? this.start() : this.stop()));
  }

  /**
   * Changes listen address, upstream or enabled; a changed address restarts the proxy, as in
   * Toxiproxy. A move to an address that cannot be bound changes nothing: the proxy keeps
   * listening where it was, and the error (409 when the address is in use) says so.
   */
  update(changes: { listen?: string; upstream?: string; enabled?: boolean }): Promise<void> {
    return this.serialise(async () => {
      const listenAt = changes.listen === undefined ? this.listenAt : parseHostPort(changes.listen, 'listen');
      const upstreamAt =
        changes.upstream === undefined ? this.upstreamAt : parseHostPort(changes.upstream, 'upstream');
      const enabled = changes.enabled ?? this.enabled;
      const moved = formatHostPort(listenAt) !== this.listen;
      if (!enabled) {
        await this.stop();
        this.listenAt = listenAt;
        this.upstreamAt = upstreamAt;
        return;
      }
      if (moved && this.server !== undefined) {
        await this.move(listenAt);
      } else if (formatHostPort(upstreamAt) !== this.upstream) {
        await this.stop(); // connections to the old upstream are cut, as in Toxiproxy
      }
      this.upstreamAt = upstreamAt;
      if (this.server === undefined) {
        const previous = this.listenAt;
        this.listenAt = listenAt;
        await this.start().catch((error: unknown) => {
          this.listenAt = previous;
          throw error;
        });
      }
    });
  }

  /** The toxics, in the order they were added. */
  toxics(): ToxicConfig[] {
    return [...this.toxicList];
  }

  toxic(name: string): ToxicConfig | undefined {
    return this.toxicList.find((t) => t.name === name);
  }

  /** Adds a toxic from Toxiproxy's JSON; it applies to open connections too. */
  addToxic(input: unknown): ToxicConfig {
    const config = parseToxic(input);
    if (this.toxic(config.name) !== undefined) throw apiErrors.toxicAlreadyExists();
    this.setToxics([...this.toxicList, config]);
    for (const connection of this.connections) connection.attach(config);
    return config;
  }

  /** Changes a toxic's attributes or toxicity; open connections restart it with the new settings. */
  updateToxic(name: string, input: unknown): ToxicConfig {
    const current = this.toxic(name);
    if (current === undefined) throw apiErrors.toxicNotFound();
    const given = typeof input === 'object' && input !== null ? input : {};
    const config = parseToxic({ ...given, name, type: current.type, stream: current.stream }, current);
    this.setToxics(this.toxicList.map((t) => (t === current ? config : t)));
    for (const connection of this.connections) {
      connection.detach(name);
      connection.attach(config);
    }
    return config;
  }

  removeToxic(name: string): void {
    if (this.toxic(name) === undefined) throw apiErrors.toxicNotFound();
    this.setToxics(this.toxicList.filter((t) => t.name !== name));
    for (const connection of this.connections) connection.detach(name);
  }

  /** Removes every toxic. */
  resetToxics(): void {
    for (const toxic of this.toxicList) this.removeToxic(toxic.name);
  }

  stats(): ProxyStats {
    return {
      openSockets: this.sockets,
      openConnections: this.connections.size,
      acceptedConnections: this.accepted,
      toxicErrors: this.toxicErrors,
    };
  }

  /** The last toxic failure that cut a connection, for diagnosis. */
  lastError(): unknown {
    return this.lastToxicError;
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics(),
    };
  }

  /** Stops listening and cuts every connection. */
  close(): Promise<void> {
    return this.setEnabled(false);
  }

  private setToxics(list: readonly ToxicConfig[]): void {
    this.toxicList = list;
    this.httpFaultList = list.filter((t) => httpFaultKinds.has(t.type));
  }

  private serialise(step: () => Promise<void>): Promise<void> {
    const next = this.change.then(step);
    this.change = next.catch(() => undefined);
    return next;
  }

  private async start(): Promise<void> {
    if (this.server !== undefined) return;
    const { server, port } = await this.bind(this.listenAt);
    this.listenAt = { ...this.listenAt, port };
    this.server = server;
  }

  /**
   * Moves a listening proxy to `to`: binds there first and only then closes the old server, so a
   * failure leaves it listening where it was. The same port on another host may clash with the
   * old binding itself: then the old server closes first and is rebound if the new one fails.
   */
  private async move(to: HostPort): Promise<void> {
    const from = this.listenAt;
    let bound: { server: Server; port: number };
    try {
      bound = await this.bind(to);
    } catch (error) {
      if (!(error instanceof ProxyApiError && error.status === 409 && to.port === from.port)) {
        throw this.stillAt(error);
      }
      await this.stop();
      try {
        bound = await this.bind(to);
      } catch (again) {
        await this.start(); // back where it was
        throw this.stillAt(again);
      }
    }
    await this.stop();
    this.listenAt = { ...to, port: bound.port };
    this.server = bound.server;
  }

  /** The error of a failed move, saying where the proxy still listens. */
  private stillAt(error: unknown): unknown {
    if (!(error instanceof ProxyApiError) || this.server === undefined) return error;
    return new ProxyApiError(`${error.message}; it still listens on ${this.listen}`, error.status);
  }

  /** A new server for this proxy listening on `at`; a ProxyApiError (409 when in use) when it cannot. */
  private async bind(at: HostPort): Promise<{ server: Server; port: number }> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw listenError(this.name, formatHostPort(at), err);
    });
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : at.port;
    return { server, port };
  }

  private async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  private accept(client: Socket): void {
    const index = this.accepted++;
    const upstream = connect({ ...this.upstreamAt, allowHalfOpen: true, noDelay: true });
    const connection = new Connection(
      index,
      client,
      upstream,
      this.seed,
      this.now,
      (err) => {
        this.toxicErrors++;
        this.lastToxicError = err;
      },
      this.http,
    );
    this.connections.add(connection);
    let open = 2;
    this.sockets += 2;
    const closed = (): void => {
      this.sockets--;
      if (--open === 0) this.connections.delete(connection);
    };
    client.once('close', closed);
    upstream.once('close', closed);
    for (const toxic of this.toxicList) connection.attach(toxic);
  }
}

/** Why a proxy cannot listen on `at`, with the status the admin API answers it with. */
function listenError(name: string, at: string, err: unknown): ProxyApiError {
  const code = (err as NodeJS.ErrnoException).code;
  const why: Record<string, [string, number]> = {
    EADDRINUSE: ['the address is already in use', 409],
    EACCES: ['permission denied (a port under 1024 needs privileges)', 400],
    EADDRNOTAVAIL: ['the host is not an address of this machine', 400],
  };
  const [reason, status] = why[code ?? ''] ?? [String(err), 500];
  return new ProxyApiError(`proxy ${name}: cannot listen on ${at}: ${reason}`, status);
}
