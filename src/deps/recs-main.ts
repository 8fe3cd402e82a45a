/**
 * The simulated recommendations API as a child process. Config: JSON in LOADLAB_RECS_CONFIG (see
 * recs-spec.ts). Once listening it sends the parent `{type:'ready', url, pid}` over IPC, or,
 * started by hand, prints `recs simulator listening on <url>`. SIGTERM, SIGINT or the parent going
 * away (IPC disconnect) close it and exit 0. Exit 2: invalid config; exit 1: could not listen.
 */
import { runChildMain } from '../shared/index.js';
import { createRecsSimulator } from './recs-server.js';
import { parseRecsChildConfig, recsConfigEnv } from './recs-spec.js';

runChildMain({
  name: 'recs simulator',
  configEnv: recsConfigEnv,
  parseConfig: parseRecsChildConfig,
  createServer: (config) => createRecsSimulator(config.spec, { seed: config.seed }),
});
