/**
 * The harness's side of telemetry: scraping a foreign target's Prometheus /metrics. The sample
 * shape and the mapping from Prometheus series are the protocol the reference service shares.
 */
export {
  bucketDelta,
  bucketQuantile,
  eventLoopResolutionMs,
  isTelemetryMessage,
  parsePromText,
  readPromReadings,
  sampleBetween,
  sumSamples,
  type Bucket,
  type PromReadings,
  type PromSample,
  type ServiceSample,
  type TelemetryMessage,
} from '../../protocol/index.js';
export { startPromScraper, type PromScraper, type PromScraperOptions } from './prom-scraper.js';
export {
  readMetrics,
  type MetricsRead,
  type MetricsReadLimits,
  type MetricsReadVia,
} from './read-metrics.js';
export { createMetricsClient, type MetricsReach } from './metrics-client.js';
