/**
 * The fault proxy's start-up config: the proxies to create (Toxiproxy's proxy JSON) and optional
 * initial toxics. `loadlab proxy --config FILE` reads it from YAML or JSON; the lab passes it to
 * the proxy child as JSON in {@link proxyConfigEnv}. Toxiproxy's own config file (a bare JSON
 * array of proxies) is accepted as it is.
 *
 * ```yaml
 * proxies:
 *   - { name: db, listen: 127.0.0.1:15432, upstream: 127.0.0.1:5432 }
 *   - name: recommendations
 *     upstream: 127.0.0.1:8080
 *     toxics: [{ type: latency, attributes: { latency: 50 } }]
 * ```
 */
import { z } from 'zod';
import { parseHostPort } from './address.js';
import { ProxyApiError } from './api-error.js';
import type { ProxyCollection } from './proxy-collection.js';
import type { Proxy } from './proxy.js';
import { parseToxic } from './toxic-config.js';

/** Environment variable carrying the proxy child's config (JSON). */
export const proxyConfigEnv = 'LOADLAB_PROXY_CONFIG';

const hostPort = z.string().superRefine((value, ctx) => {
  try {
    parseHostPort(value, 'address');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected host:port such as "127.0.0.1:5432"', input: value });
  }
});

const toxicSchema = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  try {
    parseToxic(value);
  } catch (error) {
    if (!(error instanceof ProxyApiError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, input: value });
  }
});

const proxySchema = z.strictObject({
  name: z.string().min(1),
  /** `host:port` to accept on; port 0 picks a free one (default `127.0.0.1:0`). */
  listen: hostPort.default('127.0.0.1:0'),
  /** `host:port` of the dependency. */
  upstream: hostPort,
  /** When false the proxy refuses connections (default true). */
  enabled: z.boolean().default(true),
  /** Toxics (or HTTP faults) in Toxiproxy's JSON shape, added at start. */
  toxics: z.array(toxicSchema).default([]),
});

const proxiesSchema = z.array(proxySchema).superRefine((proxies, ctx) => {
  const seen = new Set<string>();
  proxies.forEach((proxy, index) => {
    if (seen.has(proxy.name)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a name no other proxy has',
        path: [index, 'name'],
        input: proxy.name,
      });
    }
    seen.add(proxy.name);
  });
});

/** The whole config: `{ proxies, seed? }`, or a bare array of proxies (Toxiproxy's file). */
export const proxyConfigSchema = z.preprocess(
  (input) => (Array.isArray(input) ? { proxies: input } : input),
  z.strictObject({
    proxies: proxiesSchema,
    /** Seeds toxicity, jitter and HTTP fault draws (default 1). */
    seed: z.number().int().min(0).max(0xffffffff).default(1),
  }),
);

/** A checked proxy config with defaults filled in. */
export type ProxyConfig = z.output<typeof proxyConfigSchema>;

/** Creates every proxy of `config` in `collection`, with its initial toxics. */
export async function applyProxyConfig(collection: ProxyCollection, config: ProxyConfig): Promise<Proxy[]> {
  const created: Proxy[] = [];
  for (const { toxics, ...input } of config.proxies) {
    const proxy = await collection.add(input);
    for (const toxic of toxics) proxy.addToxic(toxic);
    created.push(proxy);
  }
  return created;
}
