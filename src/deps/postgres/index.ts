/** A throw-away PostgreSQL cluster for runs and tests, and the lookup of the machine's binaries. */
export {
  embeddedSuperuser,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './embedded-postgres.js';
export { findPostgres, installHint, locatePostgres, type PostgresBinaries } from './find-postgres.js';
export type { StopMode } from './postgres-server.js';
export {
  parsePostgresChildConfig,
  postgresChildConfigSchema,
  postgresConfigEnv,
  type PostgresChildConfig,
} from './postgres-config.js';
