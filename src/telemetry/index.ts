export { parsePromText, sumSamples, type PromSample } from './prom-text.js';
export { bucketDelta, bucketQuantile, type Bucket } from './bucket-quantile.js';
export {
  eventLoopResolutionMs,
  readPromReadings,
  sampleBetween,
  type PromReadings,
} from './prom-readings.js';
export { startPromScraper, type PromScraper, type PromScraperOptions } from './prom-scraper.js';
export { isTelemetryMessage, type ServiceSample, type TelemetryMessage } from './service-sample.js';
