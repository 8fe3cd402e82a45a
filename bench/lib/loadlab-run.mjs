// Runs loadlab's load engine (orchestrator + worker threads, as `loadlab run` does) against a URL
// and prints one JSON line: responses, responses/s, errors, latency p50/p99 (ms), generator check.
// Usage: node bench/lib/loadlab-run.mjs '{"url":"...","load":{...scenario load section...}}'
// (optionally "transport": { protocol, tls, h2 } as the load module's TransportSpec, the url added)
import { LoadAggregate, runLoad } from '../../dist/src/load/index.js';
import { summarizeLatencyMs } from '../../dist/src/metrics/index.js';
import { buildPlan, scenarioSchema } from '../../dist/src/scenario/index.js';

const { url, load, skipFirstS = 1, transport } = JSON.parse(process.argv[2]);
const scenario = scenarioSchema.parse({ name: 'bench', load });
const plan = buildPlan(scenario);
const aggregate = new LoadAggregate();
const outcome = await runLoad({
  plan,
  requests: scenario.load.requests,
  ...(scenario.load.flows === undefined ? {} : { flows: scenario.load.flows }),
  targetUrl: url,
  ...(transport === undefined ? {} : { transport: { url, ...transport } }),
  seed: 1,
  timeoutMs: scenario.load.timeout,
  startEpochMs: Date.now() + 500,
  signal: new AbortController().signal,
  aggregate,
});
const lastS = Math.ceil(plan.totalMs / 1000) - 1;
const measured = aggregate.latencyBetween(skipFirstS, lastS);
const seconds = aggregate.seconds().filter((s) => s.t >= skipFirstS && s.t <= lastS);
const responses = seconds.reduce((n, s) => n + s.requests, 0);
const lag = summarizeLatencyMs(outcome.lag);
const service = aggregate.serviceTotal ? summarizeLatencyMs(aggregate.serviceTotal) : undefined;
const gen = aggregate.generatorBetween(skipFirstS, lastS);
console.log(
  JSON.stringify({
    responses,
    rps: responses / Math.max(1, seconds.length),
    errors: aggregate.errors,
    sent: outcome.sent,
    planned: outcome.planned,
    dropped: outcome.dropped,
    p50: measured.p50,
    p99: measured.p99,
    serviceP50: service?.p50,
    serviceP99: service?.p99,
    lagP99: lag.p99,
    elu: gen?.eluMean,
    cpuPct: gen?.cpuPctMean,
  }),
);
