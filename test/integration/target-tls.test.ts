/**
 * Reaching a target over TLS and HTTP/2 before any load: the probe makes one connection and one
 * request with the engines' own transport, names the step that failed with its own error kind
 * (an expired certificate, one for another host, one nobody trusts, a refused ALPN), trusts a
 * private authority given as a file, skips verification only when told, presents a client
 * certificate, and settles `auto` by ALPN. Certificates are made at test time with openssl;
 * servers are Node `https` / `http2` on loopback in child processes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget, type AskedTransport } from '../../src/load/index.js';
import { transportErrorKind } from '../../src/load/error-kind.js';
import {
  makeCertificates,
  startSecureTarget,
  type SecureTargetOptions,
  type TestCertificates,
} from '../helpers/tls-target.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function target(options: SecureTargetOptions): Promise<string> {
  const t = await startSecureTarget(options);
  cleanups.push(() => t.close());
  return t.url;
}

function probe(asked: AskedTransport): Promise<unknown> {
  return probeTarget(asked, 3000);
}

describe('probing a target over TLS', () => {
  it.each([
    ['an expired certificate', 'tls-expired', 'expired', /expired/],
    ['a certificate for another host', 'tls-hostname', 'wrongHost', /does not name this host/],
    ['a self-signed certificate nobody trusts', 'tls-untrusted', 'untrusted', /no trusted authority/],
  ] as const)('fails %s with the kind "%s", naming the step', async (_name, kind, which, words) => {
    const url = await target({ kind: 'https', cert: certs[which] });
    const failed = probe({ url, protocol: 'h1', tls: { caFile: certs.ca } });
    await expect(failed).rejects.toMatchObject({ code: 'TARGET_UNREACHABLE' });
    await expect(failed).rejects.toThrow(new RegExp(`error kind "${kind}"`));
    await expect(failed).rejects.toThrow(words);
  });

  it('trusts the authority of --ca, and reaches the target by its name when Host is overridden', async () => {
    const url = await target({ kind: 'https', cert: certs.good });
    await expect(probe({ url, protocol: 'h1', tls: { caFile: certs.ca } })).resolves.toMatchObject({
      status: 200,
    });
    // SNI and the identity check follow the Host override: the good certificate names localhost, not other.invalid.
    const wrongName = probe({ url, protocol: 'h1', tls: { caFile: certs.ca }, host: 'other.invalid' });
    await expect(wrongName).rejects.toThrow(/error kind "tls-hostname"/);
  });

  it('skips verification only when insecure, and presents a client certificate', async () => {
    const url = await target({ kind: 'https', cert: certs.untrusted });
    await expect(probe({ url, protocol: 'h1', tls: { insecure: true } })).resolves.toMatchObject({
      status: 200,
    });
    const mtls = await target({ kind: 'https', cert: certs.good, clientCa: certs.ca });
    await expect(
      probe({
        url: mtls,
        protocol: 'h1',
        tls: { caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key },
      }),
    ).resolves.toMatchObject({ status: 200 });
  });

  it('fails h2 against a target that refuses it in ALPN with the kind "tls-alpn"', async () => {
    const url = await target({ kind: 'https', cert: certs.good, alpn: ['http/1.1'] });
    await expect(probe({ url, protocol: 'h2', tls: { caFile: certs.ca } })).rejects.toThrow(
      /error kind "tls-alpn"/,
    );
  });

  it('settles auto by ALPN: h2 where the target offers it, HTTP/1.1 where it does not', async () => {
    const h2 = await target({ kind: 'h2', cert: certs.good });
    const h1 = await target({ kind: 'https', cert: certs.good, alpn: ['http/1.1'] });
    await expect(probe({ url: h2, protocol: 'auto', tls: { caFile: certs.ca } })).resolves.toMatchObject({
      transport: { protocol: 'h2' },
      status: 200,
    });
    await expect(probe({ url: h1, protocol: 'auto', tls: { caFile: certs.ca } })).resolves.toMatchObject({
      transport: { protocol: 'h1' },
    });
  });
});

describe('the error kind of a failed step', () => {
  it.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'connect'],
    ['CERT_HAS_EXPIRED', 'tls-expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-hostname'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-untrusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-untrusted'],
    ['ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'tls-alpn'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ERR_HTTP2_STREAM_ERROR', 'h2-reset'],
    ['ERR_HTTP2_GOAWAY_SESSION', 'h2-goaway'],
    ['EWHATEVER', 'other'],
  ])('is "%s" → %s', (code, kind) => {
    expect(transportErrorKind(Object.assign(new Error(code), { code }))).toBe(kind);
  });
});
