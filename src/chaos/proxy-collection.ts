/**
 * The proxies of one fault-proxy process, by name: what the admin API (and later the lab and
 * `loadlab proxy`) create, change and remove. Mirrors Toxiproxy's ProxyCollection.
 */
import { performance } from 'node:perf_hooks';
import { deriveSeed } from '../../protocol/index.js';
import { apiErrors } from './api-error.js';
import { createProxy, type Proxy } from './proxy.js';

/** A proxy as a client writes it (Toxiproxy JSON); `name` and `upstream` are required. */
export interface ProxyInput {
  name: string;
  listen?: string;
  upstream: string;
  enabled?: boolean;
}

/** Options shared by every proxy of the collection. */
export interface ProxyCollectionOptions {
  /** Each proxy's seed is derived from this and its name. Default 0. */
  seed?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** Checks a client's proxy JSON; `field` names where it came from in error messages. */
export function parseProxyInput(input: unknown, field = 'proxy'): ProxyInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw apiErrors.badRequestBody(`${field}: expected a JSON object`);
  }
  const raw = input as Record<string, unknown>;
  if (typeof raw.name !== 'string' || raw.name === '') throw apiErrors.missingField('name');
  if (typeof raw.upstream !== 'string' || raw.upstream === '') throw apiErrors.missingField('upstream');
  if (raw.listen !== undefined && typeof raw.listen !== 'string') {
    throw apiErrors.badRequestBody(`${field}.listen: expected "host:port"`);
  }
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') {
    throw apiErrors.badRequestBody(`${field}.enabled: expected true or false`);
  }
  return {
    name: raw.name,
    upstream: raw.upstream,
    ...(raw.listen === undefined || raw.listen === '' ? {} : { listen: raw.listen }),
    ...(raw.enabled === undefined ? {} : { enabled: raw.enabled }),
  };
}

export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();
  private readonly reserved = new Set<string>();
  private readonly seed: number;
  private readonly now: () => number;

  constructor(options: ProxyCollectionOptions = {}) {
    this.seed = options.seed ?? 0;
    this.now = options.now ?? (() => performance.now());
  }

  list(): Proxy[] {
    return [...this.proxies.values()];
  }

  /** The proxy named `name`; a 404 ProxyApiError when there is none. */
  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw apiErrors.proxyNotFound();
    return proxy;
  }

  /** Creates and starts a proxy; a 409 ProxyApiError when the name is taken. */
  async add(input: ProxyInput): Promise<Proxy> {
    if (this.proxies.has(input.name) || this.reserved.has(input.name)) throw apiErrors.proxyAlreadyExists();
    this.reserved.add(input.name);
    try {
      const proxy = await createProxy({
        ...input,
        seed: deriveSeed(this.seed, input.name),
        now: this.now,
      });
      this.proxies.set(input.name, proxy);
      return proxy;
    } finally {
      this.reserved.delete(input.name);
    }
  }

  /** Stops and forgets a proxy; a 404 ProxyApiError when there is none. */
  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.close();
  }

  /**
   * Creates every proxy in `inputs` (checked all first); one that exists with the same listen and
   * upstream is kept, one that differs is replaced — Toxiproxy's `/populate`.
   */
  async populate(inputs: unknown): Promise<Proxy[]> {
    if (!Array.isArray(inputs)) throw apiErrors.badRequestBody('expected a JSON array of proxies');
    const parsed = inputs.map((input, i) => parseProxyInput(input, `[${i}]`));
    const result: Proxy[] = [];
    for (const input of parsed) {
      const existing = this.proxies.get(input.name);
      if (existing !== undefined) {
        const same =
          existing.upstream === input.upstream &&
          (input.listen === undefined || existing.listen === input.listen);
        if (same) {
          result.push(existing);
          continue;
        }
        await this.remove(input.name);
      }
      result.push(await this.add(input));
    }
    return result;
  }

  /** Enables every proxy and removes every toxic — Toxiproxy's `/reset`. */
  async reset(): Promise<void> {
    // Every proxy is reset even when one cannot listen again; the first such failure is reported.
    const failures: unknown[] = [];
    for (const proxy of this.proxies.values()) {
      proxy.resetToxics();
      await proxy.setEnabled(true).catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  }

  /** Stops every proxy. */
  async close(): Promise<void> {
    const all = this.list();
    this.proxies.clear();
    await Promise.all(all.map((proxy) => proxy.close()));
  }
}
