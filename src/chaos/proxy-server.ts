/**
 * The fault proxy as one unit: its proxies (from a {@link ProxyConfig}) and the admin API over them.
 * What the proxy child process and `loadlab proxy` both run.
 */
import { startAdminApi } from './admin-api.js';
import { ProxyCollection } from './proxy-collection.js';
import { applyProxyConfig, type ProxyConfig } from './proxy-config.js';

/** Where the admin API listens. */
export interface ProxyServerOptions {
  config: ProxyConfig;
  /** Loopback address of the admin API (default 127.0.0.1). */
  host?: string;
  /** Admin API port; 0 picks a free one (default 0; Toxiproxy's is 8474). */
  port?: number;
  /** What `GET /version` reports. */
  version?: string;
}

/** A running fault proxy. */
export interface ProxyServer {
  /** The admin API's base URL, e.g. `http://127.0.0.1:8474`. */
  readonly adminUrl: string;
  readonly proxies: ProxyCollection;
  /** Stops the admin API and every proxy, cutting their connections. */
  close(): Promise<void>;
}

/** Starts every configured proxy, then the admin API; on failure, stops what was started. */
export async function startProxyServer(options: ProxyServerOptions): Promise<ProxyServer> {
  const proxies = new ProxyCollection({ seed: options.config.seed });
  try {
    await applyProxyConfig(proxies, options.config);
    const api = await startAdminApi({
      proxies,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.version === undefined ? {} : { version: options.version }),
    });
    return {
      adminUrl: api.url,
      proxies,
      close: async () => {
        await api.close();
        await proxies.close();
      },
    };
  } catch (error) {
    await proxies.close();
    throw error;
  }
}
