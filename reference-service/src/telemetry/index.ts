export {
  startRuntimeSampler,
  type RuntimeProbe,
  type RuntimeSampler,
  type RuntimeSamplerOptions,
} from './runtime-sampler.js';
export { readRegistrySamples, sampledMetricNames } from './registry-samples.js';
