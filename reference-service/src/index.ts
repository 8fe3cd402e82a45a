/**
 * The reference service's public API: build it in-process, or read its config as its child
 * process does. Everything else in this folder is internal.
 */
export { buildService, type Service, type ServiceDeps } from './service.js';
export type { Readiness } from './http/routes.js';
export { parseServiceConfig, type ConfigResult } from './load-config.js';
export {
  serviceConfigEnv,
  serviceKnobsSchema,
  serviceRuntimeSchema,
  type ServiceConfig,
  type ServiceKnobs,
  type ServiceKnobsInput,
  type ServiceRuntimeInput,
} from '../../protocol/index.js';
export { serviceErrorCodes, type ServiceErrorCode } from './errors.js';
export type { User, NewUser } from './app/users.js';
