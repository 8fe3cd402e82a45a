/** Dependency simulators: capacity- and latency-modelled servers. */
export {
  dbSimSpecSchema,
  latencySpecSchema,
  type DbSimSpec,
  type DbSimSpecInput,
  type LatencySpec,
} from './db-spec.js';
export {
  dbChildConfigSchema,
  parseDbChildConfig,
  type DbChildConfig,
  type DbChildConfigInput,
} from './db-config.js';
export { createLatencySampler, latencySamplers, type LatencySampler } from './latency.js';
export {
  createDbSimulator,
  type DbSimStats,
  type DbSimulator,
  type DbSimulatorOptions,
} from './db-server.js';
export type { User } from './user-store.js';
