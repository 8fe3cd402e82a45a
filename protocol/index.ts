/**
 * What the harness (src/) and the reference service (reference-service/) share, owned by
 * neither: how a child process reports ready and receives its config, the shape of the
 * telemetry sample it sends once a second and how Prometheus series map onto it, and the seeded
 * random source both derive their streams from, so one seed reproduces a whole run; and the FIFO
 * capacity queue that the dependency simulators and the service's gates all model capacity with.
 */
export { bucketDelta, bucketQuantile, type Bucket } from './bucket-quantile.js';
export {
  dbConfigEnv,
  isReadyMessage,
  parseChildConfig,
  telemetryEnv,
  type ReadyMessage,
} from './child-protocol.js';
export {
  eventLoopResolutionMs,
  readPromReadings,
  sampleBetween,
  type PromReadings,
} from './prom-readings.js';
export {
  createFifoPermits,
  type FifoPermits,
  type FifoPermitsOptions,
  type FifoStats,
  type FifoWaitOptions,
  type Refusal,
  type Release,
} from './fifo-permits.js';
export { parsePromText, sumSamples, type PromSample } from './prom-text.js';
export { createRandom, deriveSeed, normal, type Random } from './random.js';
export { isTelemetryMessage, type ServiceSample, type TelemetryMessage } from './service-sample.js';
export {
  knobNotes,
  serviceConfigEnv,
  serviceKnobsSchema,
  serviceRuntimeSchema,
  type KnobNote,
  type ServiceConfig,
  type ServiceKnobs,
  type ServiceKnobsInput,
  type ServiceRuntimeInput,
} from './service-config.js';
