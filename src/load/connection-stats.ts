/**
 * What a worker learns about its connections, apart from request latency: how many it opened,
 * how long each took to connect (DNS and TCP) and to finish its TLS handshake, and, over HTTP/2,
 * the server's SETTINGS, the most streams one connection carried at once, and the GOAWAYs and
 * RST_STREAMs it received. Recorded once per connection (never per request); crosses the thread
 * boundary as {@link ConnectionStatsMessage}, histograms encoded, and is merged exactly.
 */
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  recordLatencyUs,
  summarizeLatencyMs,
  type LatencyHistogram,
} from '../metrics/index.js';

/** The server's HTTP/2 SETTINGS as Node names them (e.g. maxConcurrentStreams, initialWindowSize). */
export type H2Settings = Record<string, number | boolean>;

/** One worker's connection figures, as posted to the orchestrator. */
export interface ConnectionStatsMessage {
  opened: number;
  connectHistogram: string;
  tlsHistogram?: string;
  h2?: { settings?: H2Settings; peakStreams: number; goaways: number; resets: number };
}

/** Percentiles of a connection step, ms. */
export interface StepTimes {
  p50: number;
  p99: number;
  max: number;
}

/** A run's connections, as the result document records them (`connections`). */
export interface ConnectionsSummary {
  /** Connections opened (TCP, and TLS when the target is https). */
  opened: number;
  /** From opening to the TCP connection established, DNS lookup included, ms. */
  connectMs: StepTimes;
  /** From TCP established to the TLS handshake done, ms; absent over plain HTTP. */
  tlsMs?: StepTimes;
  /** HTTP/2 only. */
  h2?: {
    /** The server's SETTINGS, as the first connection received them. */
    settings?: H2Settings;
    /** The most streams one connection carried at once. */
    peakStreamsPerConnection: number;
    /** GOAWAY frames received. */
    goaways: number;
    /** Streams the server reset (RST_STREAM). */
    resets: number;
  };
}

/** A worker's running connection figures. */
export class ConnectionStats {
  opened = 0;
  readonly #connect: LatencyHistogram = createLatencyHistogram();
  #tls: LatencyHistogram | undefined;
  #h2: NonNullable<ConnectionStatsMessage['h2']> | undefined;

  /** A connection reached TCP established `ms` after it was opened. */
  connected(ms: number): void {
    this.opened++;
    recordLatencyUs(this.#connect, ms * 1000);
  }

  /** A connection finished its TLS handshake `ms` after TCP was established. */
  handshaken(ms: number): void {
    this.#tls ??= createLatencyHistogram();
    recordLatencyUs(this.#tls, ms * 1000);
  }

  /** HTTP/2 figures, made on first use. */
  get h2(): NonNullable<ConnectionStatsMessage['h2']> {
    this.#h2 ??= { peakStreams: 0, goaways: 0, resets: 0 };
    return this.#h2;
  }

  toMessage(): ConnectionStatsMessage {
    return {
      opened: this.opened,
      connectHistogram: encodeHistogram(this.#connect),
      ...(this.#tls === undefined ? {} : { tlsHistogram: encodeHistogram(this.#tls) }),
      ...(this.#h2 === undefined ? {} : { h2: this.#h2 }),
    };
  }
}

/** Every worker's connection figures merged exactly; feed it messages, read {@link summary}. */
export class ConnectionStatsMerger {
  #opened = 0;
  readonly #connect = createLatencyHistogram();
  #tls: LatencyHistogram | undefined;
  #h2: ConnectionsSummary['h2'];

  add(message: ConnectionStatsMessage): void {
    this.#opened += message.opened;
    mergeHistograms(this.#connect, decodeHistogram(message.connectHistogram));
    if (message.tlsHistogram !== undefined) {
      this.#tls ??= createLatencyHistogram();
      mergeHistograms(this.#tls, decodeHistogram(message.tlsHistogram));
    }
    const h2 = message.h2;
    if (h2 !== undefined) {
      const into = (this.#h2 ??= { peakStreamsPerConnection: 0, goaways: 0, resets: 0 });
      if (into.settings === undefined && h2.settings !== undefined) into.settings = h2.settings;
      into.peakStreamsPerConnection = Math.max(into.peakStreamsPerConnection, h2.peakStreams);
      into.goaways += h2.goaways;
      into.resets += h2.resets;
    }
  }

  summary(): ConnectionsSummary {
    return {
      opened: this.#opened,
      connectMs: stepTimes(this.#connect),
      ...(this.#tls === undefined ? {} : { tlsMs: stepTimes(this.#tls) }),
      ...(this.#h2 === undefined ? {} : { h2: this.#h2 }),
    };
  }
}

function stepTimes(h: LatencyHistogram): StepTimes {
  const s = summarizeLatencyMs(h);
  return { p50: s.p50, p99: s.p99, max: s.max };
}
