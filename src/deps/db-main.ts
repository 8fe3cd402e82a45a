/**
 * The simulated database as a child process. Config: JSON in LOADLAB_DB_CONFIG (see
 * db-config.ts). Once listening it sends the parent `{type:'ready', url, pid}` over IPC, or,
 * started by hand, prints `db simulator listening on <url>`. SIGTERM, SIGINT or the parent going
 * away (IPC disconnect) close it and exit 0. Exit 2: invalid config; exit 1: could not listen.
 */
import { dbConfigEnv } from '../../protocol/index.js';
import { runChildMain } from '../shared/index.js';
import { parseDbChildConfig } from './db-config.js';
import { createDbSimulator } from './db-server.js';

runChildMain({
  name: 'db simulator',
  configEnv: dbConfigEnv,
  parseConfig: parseDbChildConfig,
  createServer: (config) => createDbSimulator(config.spec, { seed: config.seed }),
});
