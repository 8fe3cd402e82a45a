/** Dependency simulators (capacity- and latency-modelled servers) and the embedded PostgreSQL cluster. */
export {
  contentionSpecSchema,
  dbSimSpecSchema,
  dbSpecSchema,
  latencySpecSchema,
  postgresSpecSchema,
  type ContentionSpec,
  type DbSimSpec,
  type DbSimSpecInput,
  type DbSpec,
  type DbSpecInput,
  type LatencySpec,
  type PostgresSpec,
} from './db-spec.js';
export {
  dbChildConfigSchema,
  parseDbChildConfig,
  type DbChildConfig,
  type DbChildConfigInput,
} from './db-config.js';
export { contentionStretch } from './db-contention.js';
export { createLatencySampler, latencySamplers, type LatencySampler } from './latency.js';
export {
  createDbSimulator,
  type DbSimStats,
  type DbSimulator,
  type DbSimulatorOptions,
} from './db-server.js';
export type { User } from './user-store.js';
export {
  parseRecsChildConfig,
  recsChildConfigSchema,
  recsConfigEnv,
  recsSimSpecSchema,
  type RecsChildConfig,
  type RecsChildConfigInput,
  type RecsSimSpec,
  type RecsSimSpecInput,
} from './recs-spec.js';
export { createRecsSimulator, type RecsSimStats, type RecsSimulator } from './recs-server.js';
export {
  postgresConfigEnv,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './postgres/index.js';
