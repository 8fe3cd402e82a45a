/**
 * Starts the reference service in-process (buildService) on loopback against a fake user store
 * and, when asked, the simulated recommendations API; everything started is closed by `closeAll`.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import {
  buildService,
  serviceRuntimeSchema,
  type Service,
  type ServiceKnobsInput,
} from '../../reference-service/src/index.js';
import {
  createRecsSimulator,
  recsSimSpecSchema,
  type RecsSimSpecInput,
  type RecsSimulator,
} from '../../src/deps/index.js';
import { startFakeDb, type FakeDb } from './fake-db.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** From the call to the end of the body, in ms. */
  ms: number;
}

export interface RunningService {
  service: Service;
  url: string;
  db: FakeDb;
  recs: RecsSimulator | undefined;
  /** Sends one request over a keep-alive agent of `agentConnections` sockets. */
  call(method: string, path: string, options?: { json?: unknown }): Promise<Answer>;
  /** The value of one metric sample (summed over matching label sets), read from /metrics. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

const closers: (() => Promise<void>)[] = [];

/** Closes everything started since the last call, newest first. */
export async function closeAll(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close();
}

export async function startReferenceService(
  options: {
    knobs?: ServiceKnobsInput;
    db?: Parameters<typeof startFakeDb>[0];
    /** Start the simulated recommendations API with this spec (omit: no recommendations API). */
    recs?: RecsSimSpecInput;
    agentConnections?: number;
    /** Called with the built service before it listens (to add hooks). */
    beforeListen?: (service: Service) => void;
  } = {},
): Promise<RunningService> {
  const db = await startFakeDb(options.db);
  closers.push(() => db.close());
  let recs: RecsSimulator | undefined;
  let recsUrl: string | undefined;
  if (options.recs !== undefined) {
    const simulator = createRecsSimulator(recsSimSpecSchema.parse(options.recs), { seed: 7 });
    recs = simulator;
    recsUrl = await simulator.listen();
    closers.push(() => simulator.close());
  }
  const config = serviceRuntimeSchema.parse({
    dbUrl: db.url,
    recsUrl,
    knobs: { ...options.knobs, log: { level: 'silent' } },
  });
  const service = buildService(config);
  closers.push(() => service.shutdown('test over'));
  options.beforeListen?.(service);
  const url = await service.listen();
  const agent = new Agent({ connections: options.agentConnections ?? 128 });
  closers.push(() => agent.destroy());

  const call: RunningService['call'] = async (method, path, callOptions = {}) => {
    const started = performance.now();
    const body = callOptions.json === undefined ? undefined : JSON.stringify(callOptions.json);
    const res = await request(url + path, {
      method: method as 'GET',
      body,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text (e.g. /metrics)
    }
    return { status: res.statusCode, headers: res.headers, body: parsed, ms: performance.now() - started };
  };

  const metric: RunningService['metric'] = async (name, labels = {}) => {
    const text = (await call('GET', '/metrics')).body as string;
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (wanted.every((pair) => line.includes(pair))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  };

  return { service, url, db, recs, call, metric };
}

/** The p-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}
