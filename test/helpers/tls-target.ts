/**
 * TLS and HTTP/2 targets for the transport tests: certificates made at test time with the openssl
 * CLI (a private authority, a good certificate for localhost and 127.0.0.1, an expired one, one
 * for another host, and a self-signed one nobody trusts), and Node `https` / `http2` servers in a
 * child process that answer after a fixed timer and count what they answered (HTTP/2: the
 * streams it sent an answer on; reset streams count under their own path). With `metrics`, it
 * also serves Prometheus text on /metrics (its own process figures and `http_requests_total` by
 * path) and notes each read's Host (HTTP/2: `:authority`) and `x-run` header; reads of /metrics
 * are not counted as answers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM file paths of the certificates a test may serve or trust. */
export interface TestCertificates {
  dir: string;
  /** The private authority that signed `good`, `expired` and `wrongHost`. */
  ca: string;
  good: { cert: string; key: string };
  expired: { cert: string; key: string };
  /** Names only other.invalid. */
  wrongHost: { cert: string; key: string };
  /** Self-signed for localhost: chains to no authority. */
  untrusted: { cert: string; key: string };
  /** A client certificate signed by the authority. */
  client: { cert: string; key: string };
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes every certificate in a fresh temporary folder (about 0.3 s). */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-tls-'));
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=loadlab test CA',
    '-days',
    '2',
  ]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = d',
      '[d]',
      'dir = .',
      'database = index.txt',
      'new_certs_dir = .',
      'serial = serial',
      'default_md = sha256',
      'policy = p',
      'unique_subject = no',
      '[p]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const signed = (name: string, san: string, dates: string[]): { cert: string; key: string } => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    openssl(dir, [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-notext',
      '-extfile',
      `${name}.ext`,
      ...dates,
    ]);
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const good = signed('good', 'DNS:localhost,IP:127.0.0.1', ['-days', '2']);
  const expired = signed('expired', 'DNS:localhost,IP:127.0.0.1', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  ]);
  const wrongHost = signed('wrong', 'DNS:other.invalid', ['-days', '2']);
  const client = signed('client', 'DNS:client.invalid', ['-days', '2']);
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'self.key',
    '-out',
    'self.crt',
    '-subj',
    '/CN=localhost',
    '-days',
    '2',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    good,
    expired,
    wrongHost,
    untrusted: { cert: join(dir, 'self.crt'), key: join(dir, 'self.key') },
    client,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** How a secure target serves: HTTPS/1.1, HTTP/2 over TLS, HTTP/2 in cleartext; and what it does. */
export interface SecureTargetOptions {
  kind: 'https' | 'h2' | 'h2c';
  cert?: { cert: string; key: string };
  /** Answer after this many ms (default 0). */
  delayMs?: number;
  /** HTTPS only: the ALPN protocols it accepts (default none offered). */
  alpn?: string[];
  /** HTTP/2: SETTINGS_MAX_CONCURRENT_STREAMS it announces. */
  maxConcurrentStreams?: number;
  /** HTTP/2: reset every stream whose path is this with RST_STREAM (REFUSED_STREAM). */
  resetPath?: string;
  /** HTTP/2: every this many streams, send GOAWAY naming the stream before as the last processed, and close the connection once those are answered. */
  goawayEvery?: number;
  /** Require a client certificate signed by this CA file. */
  clientCa?: string;
  /** Serve Prometheus text on /metrics. */
  metrics?: boolean;
}

/** The reads of /metrics a target served: how many, and the last one's Host and `x-run` header. */
export interface MetricsReads {
  reads: number;
  host?: string;
  xRun?: string;
}

const script = `
const fs = require('node:fs');
const o = JSON.parse(process.argv[1]);
let count = 0;
let streams = 0;
const byPath = {};
const metrics = { reads: 0 };
const metricsText = () => {
  const m = process.memoryUsage();
  const lines = [
    '# TYPE http_requests_total counter',
    ...Object.entries(byPath).map(([p, n]) => 'http_requests_total{route="' + p + '"} ' + n),
    'process_cpu_user_seconds_total ' + process.cpuUsage().user / 1e6,
    'process_resident_memory_bytes ' + m.rss,
    'nodejs_heap_size_used_bytes ' + m.heapUsed,
  ];
  return lines.join('\\n') + '\\n';
};
const readMetrics = (host, xRun) => {
  metrics.reads++;
  metrics.host = host;
  metrics.xRun = xRun;
  return metricsText();
};
const tls = o.cert ? { cert: fs.readFileSync(o.cert.cert), key: fs.readFileSync(o.cert.key) } : {};
if (o.clientCa) Object.assign(tls, { ca: fs.readFileSync(o.clientCa), requestCert: true, rejectUnauthorized: true });
const answer = (path, respond) => {
  count++;
  byPath[path] = (byPath[path] || 0) + 1;
  if (o.delayMs) setTimeout(respond, o.delayMs); else respond();
};
let server;
if (o.kind === 'https') {
  server = require('node:https').createServer({ ...tls, ...(o.alpn ? { ALPNProtocols: o.alpn } : {}) }, (req, res) => {
    req.resume();
    if (o.metrics && req.url === '/metrics') return res.end(readMetrics(req.headers.host, req.headers['x-run']));
    answer(req.url, () => res.end('ok'));
  });
  server.keepAliveTimeout = 60000;
} else {
  const h2 = require('node:http2');
  const settings = o.maxConcurrentStreams ? { maxConcurrentStreams: o.maxConcurrentStreams } : {};
  server = o.kind === 'h2' ? h2.createSecureServer({ ...tls, settings }) : h2.createServer({ settings });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const path = headers[':path'];
    if (o.metrics && path === '/metrics') {
      stream.respond({ ':status': 200 });
      return stream.end(readMetrics(headers[':authority'], headers['x-run']));
    }
    if (o.resetPath && path === o.resetPath) { count++; return stream.close(h2.constants.NGHTTP2_REFUSED_STREAM); }
    const last = stream.session.lastAnswered;
    if (last !== undefined && stream.id > last) return stream.close(h2.constants.NGHTTP2_REFUSED_STREAM);
    if (o.goawayEvery && ++streams % o.goawayEvery === 0) {
      // Graceful: the streams before this one are answered, this one and later are not processed.
      stream.session.lastAnswered = stream.id - 2;
      stream.session.goaway(h2.constants.NGHTTP2_NO_ERROR, stream.id - 2);
      return stream.session.close();
    }
    const respond = () => {
      if (stream.destroyed || stream.closed) return;
      count++;
      byPath[path] = (byPath[path] || 0) + 1;
      stream.respond({ ':status': 200 });
      stream.end('ok');
    };
    if (o.delayMs) setTimeout(respond, o.delayMs); else respond();
  });
}
process.on('message', (m) => { if (m.type === 'count') process.send({ type: 'count', count, byPath, metrics }); });
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () =>
  console.log((o.kind === 'h2c' ? 'http' : 'https') + '://127.0.0.1:' + server.address().port));
`;

/** A running secure target: its URL, its request count, and how to stop it. */
export interface SecureTarget {
  url: string;
  count(): Promise<number>;
  countOf(path: string): Promise<number>;
  /** With `metrics`: the reads of /metrics it served. */
  metricsReads(): Promise<MetricsReads>;
  close(): Promise<void>;
}

/** Starts a target child process; close it in the test's cleanup hook. */
export async function startSecureTarget(options: SecureTargetOptions): Promise<SecureTarget> {
  const child: ChildProcess = spawn(process.execPath, ['-e', script, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line !== undefined) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`secure target exited early with code ${code}`)));
  });
  type Counts = { count: number; byPath: Record<string, number>; metrics: MetricsReads };
  const counts = async (): Promise<Counts> => {
    const reply = once(child, 'message') as Promise<[Counts]>;
    child.send({ type: 'count' });
    return (await reply)[0];
  };
  return {
    url,
    count: async () => (await counts()).count,
    countOf: async (path) => (await counts()).byPath[path] ?? 0,
    metricsReads: async () => (await counts()).metrics,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
