/**
 * The simulated recommendations API's capacity model over real sockets on loopback: `capacity`
 * requests served at once, the rest answered in arrival order, a waiter whose client leaves
 * dropped from the queue, and a hanging slot freed when its client goes.
 */
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRecsSimulator,
  recsSimSpecSchema,
  type RecsSimSpecInput,
  type RecsSimStats,
  type RecsSimulator,
} from '../../src/deps/index.js';

const simulators: RecsSimulator[] = [];
const agents: Agent[] = [];
const controllers: AbortController[] = [];

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
});

async function startSim(spec: RecsSimSpecInput): Promise<{ sim: RecsSimulator; url: string }> {
  const sim = createRecsSimulator(recsSimSpecSchema.parse(spec), { seed: 1 });
  simulators.push(sim);
  return { sim, url: await sim.listen() };
}

/** One connection per request, so the simulator, not the client, does the queueing. */
function agent(): Agent {
  const created = new Agent({ connections: 64, pipelining: 0 });
  agents.push(created);
  return created;
}

/** Sends GET /recommendations/:userId; resolves with the status, or 'aborted' once `controller` aborts. */
function get(url: string, userId: number, dispatcher: Agent, controller = new AbortController()) {
  controllers.push(controller);
  return request(`${url}/recommendations/${userId}`, { dispatcher, signal: controller.signal }).then(
    async (res) => {
      await res.body.dump();
      return res.statusCode;
    },
    (error: unknown) => {
      if (controller.signal.aborted) return 'aborted' as const;
      throw error;
    },
  );
}

function counts(sim: RecsSimulator): Pick<RecsSimStats, 'received' | 'inService' | 'queued'> {
  const { received, inService, queued } = sim.stats();
  return { received, inService, queued };
}

describe('simulated recommendations API, capacity model', () => {
  it('answers queued requests one slot at a time, in the order they arrived', async () => {
    const latencyMs = 500;
    const { sim, url } = await startSim({ capacity: 1, latency: { dist: 'constant', ms: latencyMs } });
    const client = agent();
    const finished: number[] = [];
    const calls: Promise<void>[] = [];
    let mostQueued = 0;
    for (let i = 1; i <= 4; i++) {
      calls.push(
        get(url, i, client).then((status) => {
          expect(status).toBe(200);
          finished.push(i);
        }),
      );
      // The next is sent only once this one has arrived, so arrival order is known.
      await expect.poll(() => sim.stats().received, { interval: 2 }).toBe(i);
      expect(sim.stats().inService).toBe(1);
      mostQueued = Math.max(mostQueued, sim.stats().queued);
    }
    // Requests 2–4 arrived while 1 was served (each takes latencyMs), so they waited together.
    expect(mostQueued).toBeGreaterThanOrEqual(2);
    await Promise.all(calls);
    expect(finished).toEqual([1, 2, 3, 4]);
    expect(counts(sim)).toEqual({ received: 4, inService: 0, queued: 0 });
  });

  it('drops a waiter whose client leaves, and hands a hanging slot on when its client goes', async () => {
    const { sim, url } = await startSim({ capacity: 2, hang: true });
    const client = agent();
    const controllers = [1, 2, 3, 4].map(() => new AbortController());
    const calls = controllers.map((controller, i) => get(url, i + 1, client, controller));
    await expect.poll(() => counts(sim)).toEqual({ received: 4, inService: 2, queued: 2 });
    // The last waiter leaves: the queue shrinks, the slots stay held.
    controllers[3]!.abort();
    await expect.poll(() => counts(sim)).toEqual({ received: 4, inService: 2, queued: 1 });
    // A hanging request's client leaves: its slot passes to the waiter left.
    controllers[0]!.abort();
    await expect.poll(() => counts(sim)).toEqual({ received: 4, inService: 2, queued: 0 });
    controllers[1]!.abort();
    controllers[2]!.abort();
    await expect.poll(() => counts(sim)).toEqual({ received: 4, inService: 0, queued: 0 });
    expect(await Promise.all(calls)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
  });
});
