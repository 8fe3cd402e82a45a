/** The fault proxy: TCP toxics (Toxiproxy's names and attributes) and a Toxiproxy-compatible admin API. */
export { startAdminApi, type AdminApi, type AdminApiOptions } from './admin-api.js';
export { ProxyApiError } from './api-error.js';
export {
  ProxyCollection,
  parseProxyInput,
  type ProxyCollectionOptions,
  type ProxyInput,
} from './proxy-collection.js';
export { createProxy, Proxy, type ProxyJson, type ProxyOptions, type ProxyStats } from './proxy.js';
export { parseToxic, type ToxicInput } from './toxic-config.js';
export { toxicKinds } from './toxic-registry.js';
export type { Chunk, Next, ToxicConfig, ToxicEnv, ToxicKind, ToxicRun, ToxicStream } from './toxic.js';
