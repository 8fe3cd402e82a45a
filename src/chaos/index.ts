/**
 * The fault proxy: TCP toxics (Toxiproxy's names and attributes), per-request HTTP faults, a
 * Toxiproxy-compatible admin API, and its start-up config (for the lab's child and `loadlab proxy`).
 */
export {
  attributeLimits,
  describeLimit,
  limitProblem,
  maxToxicMs,
  type AttributeLimit,
} from './attribute-limits.js';
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
export { httpFaultKinds, type HttpFaultKind, type HttpMatch } from './http/http-fault-kinds.js';
export { applyProxyConfig, proxyConfigEnv, proxyConfigSchema, type ProxyConfig } from './proxy-config.js';
export { startProxyServer, type ProxyServer, type ProxyServerOptions } from './proxy-server.js';
