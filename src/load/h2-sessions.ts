/**
 * A worker's HTTP/2 connections: at most `connections` sessions, over TLS (ALPN "h2") or in
 * cleartext by prior knowledge (h2c), each carrying the streams of many {@link H2Channel}s. A new
 * channel opens a new session while there are fewer than `connections`, else joins the live one
 * with the fewest channels. Streams past the server's SETTINGS_MAX_CONCURRENT_STREAMS wait in
 * Node's HTTP/2 layer until one ends.
 *
 *   engine ─channel(events)─▶ H2Sessions ─▶ session 1 ◀── channels a, b, c (streams)
 *                                         └▶ session 2 ◀── channels d, e
 *   session fails (socket, TLS, GOAWAY) ─▶ each of its channels fails its streams by that kind
 */
import { connect as h2Connect, constants, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ConnectionStats } from './connection-stats.js';
import { transportErrorKind, type TransportErrorKind } from './error-kind.js';
import { H2Channel, type InFlight } from './h2-channel.js';
import type { ConnectionTarget } from './http-connection.js';
import type { ConnectionEvents } from './load-connection.js';

export interface H2SessionsOptions {
  target: ConnectionTarget;
  /** TLS options (ALPN "h2"); absent: h2c, cleartext by prior knowledge. */
  tls?: ConnectionOptions;
  /** Sessions at most. */
  connections: number;
  stats: ConnectionStats;
}

/** Flow-control windows the client grants, bytes: large, so answers are never held back by them. */
const windowBytes = 16 * 1024 * 1024;

/** One HTTP/2 connection and the channels riding on it. */
export class H2Session {
  readonly session: ClientHttp2Session;
  readonly channels = new Set<H2Channel<unknown>>();
  connected = false;
  /** Set once it takes no new streams: closed, failed, or the server sent GOAWAY. */
  done = false;
  /** Set when the server sent GOAWAY: streams it ends unanswered count as "h2-goaway". */
  goaway = false;
  /** Streams open now. */
  active = 0;
  /**
   * Streams open at once at most: the server's SETTINGS_MAX_CONCURRENT_STREAMS; none before its
   * SETTINGS arrive, so no stream is ever refused for going over it.
   */
  limit = 0;
  /** Requests waiting for a stream slot, oldest first, from `#waitHead` on. */
  readonly #waiting: InFlight<unknown>[] = [];
  #waitHead = 0;
  readonly stats: ConnectionStats;
  #failKind: TransportErrorKind | undefined;
  #detail: string | undefined;

  constructor(options: H2SessionsOptions) {
    const { target, tls, stats } = options;
    this.stats = stats;
    const openedAt = performance.now();
    let tcpAt = openedAt;
    let socket: Socket | TLSSocket;
    if (tls === undefined) {
      socket = netConnect({ host: target.host, port: target.port, noDelay: true });
      socket.once('connect', () => stats.connected(performance.now() - openedAt));
    } else {
      const secure = tlsConnect({ ...tls, host: target.host, port: target.port });
      socket = secure;
      secure.once('connect', () => {
        tcpAt = performance.now();
        stats.connected(tcpAt - openedAt);
        secure.setNoDelay(true);
      });
      secure.once('secureConnect', () => {
        stats.handshaken(performance.now() - tcpAt);
        if (secure.alpnProtocol !== 'h2') {
          const chose = secure.alpnProtocol === false ? 'no protocol' : `"${secure.alpnProtocol}"`;
          this.#fail('tls-alpn', `the target chose ${chose} in ALPN, not h2`);
        }
      });
    }
    const scheme = tls === undefined ? 'http' : 'https';
    this.session = h2Connect(
      `${scheme}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`,
      {
        createConnection: () => socket,
        settings: { enablePush: false, initialWindowSize: windowBytes },
      },
    );
    const session = this.session;
    session.once('connect', () => {
      if (this.done) return;
      session.setLocalWindowSize(windowBytes);
      this.connected = true;
      for (const c of this.channels) c.sessionConnected();
    });
    session.on('remoteSettings', (settings) => {
      stats.h2.settings ??= { ...settings } as Record<string, number | boolean>;
      this.limit = Math.max(1, settings.maxConcurrentStreams ?? 2 ** 31);
      this.#startWaiting();
    });
    session.on('goaway', () => {
      stats.h2.goaways++;
      this.goaway = true;
      this.done = true;
      for (const c of [...this.channels]) c.drained();
    });
    session.on('error', (error: Error) =>
      this.#fail(this.goaway ? 'h2-goaway' : transportErrorKind(error), error.message),
    );
    session.on('close', () => this.#fail(this.goaway ? 'h2-goaway' : 'reset'));
  }

  /** A request of one of its channels: on a stream now, or queued until a slot is free. */
  submit(state: InFlight<unknown>): void {
    if (this.active < this.limit && this.#waitHead === this.#waiting.length) this.#start(state);
    else this.#waiting.push(state);
  }

  /** `n` streams ended: queued requests take their slots. */
  ended(n: number): void {
    if (n === 0) return;
    this.active -= n;
    if (this.#waitHead < this.#waiting.length) this.#startWaiting();
  }

  #start(state: InFlight<unknown>): void {
    if (!state.channel.start(state)) return;
    if (++this.active > this.stats.h2.peakStreams) this.stats.h2.peakStreams = this.active;
  }

  #startWaiting(): void {
    const waiting = this.#waiting;
    while (this.active < this.limit && this.#waitHead < waiting.length && !this.done) {
      this.#start(waiting[this.#waitHead++] as InFlight<unknown>);
    }
    if (this.#waitHead === waiting.length) {
      waiting.length = 0;
      this.#waitHead = 0;
    } else if (this.#waitHead > 1024) {
      waiting.splice(0, this.#waitHead);
      this.#waitHead = 0;
    }
  }

  /** The kind a stream that ended unanswered counts as, given its RST_STREAM code. */
  streamFailureKind(rstCode: number | undefined): TransportErrorKind {
    if (this.goaway) return 'h2-goaway';
    if (this.#failKind !== undefined) return this.#failKind;
    if (rstCode !== undefined && rstCode !== constants.NGHTTP2_NO_ERROR) return 'h2-reset';
    return 'reset';
  }

  /** Ends the session; its channels fail their streams by `kind`. */
  #fail(kind: TransportErrorKind, detail?: string): void {
    if (this.#failKind !== undefined) return;
    this.#failKind = kind;
    this.#detail = detail;
    this.done = true;
    for (const c of [...this.channels]) c.sessionFailed(kind, this.#detail);
    this.channels.clear();
    if (!this.session.destroyed) this.session.destroy();
  }

  /** Ends the session without failing anything (the run is over). */
  close(): void {
    this.#failKind ??= 'reset';
    this.done = true;
    this.channels.clear();
    if (!this.session.destroyed) this.session.destroy();
  }
}

/** A worker's HTTP/2 sessions, handing out channels. */
export class H2Sessions {
  readonly #options: H2SessionsOptions;
  readonly #sessions = new Set<H2Session>();

  constructor(options: H2SessionsOptions) {
    this.#options = options;
  }

  /** A new channel, on a new session while there are fewer than `connections`, else on the least used live one. */
  channel<T>(events: ConnectionEvents<T>): H2Channel<T> {
    for (const s of this.#sessions) if (s.done) this.#sessions.delete(s);
    let session: H2Session | undefined;
    if (this.#sessions.size < this.#options.connections) {
      session = new H2Session(this.#options);
      this.#sessions.add(session);
    } else {
      for (const s of this.#sessions) {
        if (session === undefined || s.channels.size < session.channels.size) session = s;
      }
    }
    return new H2Channel<T>(session as H2Session, events);
  }

  /** Ends every session. */
  close(): void {
    for (const s of this.#sessions) s.close();
    this.#sessions.clear();
  }
}
