export { parsePromText, sumSamples, type PromSample } from './prom-text.js';
