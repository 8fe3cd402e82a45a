import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createDbSimulator, dbSimSpecSchema, type DbSimulator } from '../../src/deps/index.js';

const simulators: DbSimulator[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
});

const capacity = 8;
const calls = 64;
const latencyMs = 100;

interface Contention {
  sigma: number;
  kappa: number;
}

/** When the calls of a burst were answered, in ms after the first answer: the last, and the mean. */
interface Timing {
  makespanMs: number;
  meanMs: number;
}

/**
 * What the model says `calls` calls sent at once take on `capacity` slots of constant latency:
 * they start in arrival order; the k-th to start (k > capacity) finds capacity + calls − k open,
 * so it is served in latencyMs × (1 + σe + κe²) with e = calls − k. Written out here rather than
 * taken from the source, so that a change to the formula fails the test. Times count from the
 * first answer (the first wave's end), as {@link burst} measures them.
 */
function modelled(contention: Contention | undefined): Timing {
  const { sigma, kappa } = contention ?? { sigma: 0, kappa: 0 };
  const free = Array.from({ length: capacity }, () => 0);
  const finishes: number[] = [];
  for (let k = 1; k <= calls; k++) {
    const slot = free.indexOf(Math.min(...free));
    const beyond = k <= capacity ? 0 : calls - k;
    const finish = (free[slot] as number) + latencyMs * (1 + sigma * beyond + kappa * beyond * beyond);
    free[slot] = finish;
    finishes.push(finish);
  }
  return timing(finishes);
}

function timing(answeredAt: readonly number[]): Timing {
  const first = Math.min(...answeredAt);
  return {
    makespanMs: Math.max(...answeredAt) - first,
    meanMs: answeredAt.reduce((sum, ms) => sum + ms - first, 0) / answeredAt.length,
  };
}

/**
 * Sends `calls` GETs at once to a fresh simulator and times the answers from the first one, so
 * that how long the calls took to arrive on a busy machine does not count.
 */
async function burst(contention: Partial<Contention> | undefined): Promise<Timing & { sim: DbSimulator }> {
  const spec = dbSimSpecSchema.parse({
    capacity,
    latency: { dist: 'constant', ms: latencyMs },
    ...(contention === undefined ? {} : { contention }),
  });
  const sim = createDbSimulator(spec, { seed: 1 });
  simulators.push(sim);
  const url = await sim.listen();
  const agent = new Agent();
  agents.push(agent);
  // Opens the connections first (64 health checks at once), so that every call of the burst is
  // in before the first is answered.
  await Promise.all(
    Array.from({ length: calls }, async () =>
      (await request(`${url}/health`, { dispatcher: agent })).body.dump(),
    ),
  );
  const answeredAt = await Promise.all(
    Array.from({ length: calls }, async (_, i) => {
      const res = await request(`${url}/users/${i + 1}`, { dispatcher: agent });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      return performance.now();
    }),
  );
  // The model's count of open calls assumes every call was in before the first was answered.
  expect(sim.stats()).toMatchObject({ served: calls, maxQueued: calls - capacity, inService: 0 });
  return { sim, ...timing(answeredAt) };
}

/**
 * Measured within the model's figure, in ms: timers fire late, never early, and on a shared
 * machine each of the 8 or 9 waves may be late by a few ms more.
 */
function expectNear(what: string, measured: number, model: number): void {
  expect(measured, `${what}: ${measured.toFixed(1)} ms, model ${model.toFixed(1)} ms`).toBeGreaterThanOrEqual(
    model - 5,
  );
  expect(measured, `${what}: ${measured.toFixed(1)} ms, model ${model.toFixed(1)} ms`).toBeLessThan(
    model * 1.15 + 80,
  );
}

describe('the simulated database under contention (dependencies.db.contention)', () => {
  it.each([
    { what: 'left out', contention: undefined },
    { what: 'σ = κ = 0', contention: { sigma: 0, kappa: 0 } },
  ])(
    'with contention $what, 64 calls on 8 slots take 8 waves of the unstretched latency',
    async ({ contention }) => {
      const { sim, makespanMs, meanMs } = await burst(contention);
      expectNear('last answer', makespanMs, (calls / capacity - 1) * latencyMs);
      expectNear('mean answer', meanMs, modelled(undefined).meanMs);
      expect(sim.stats()).toMatchObject({ stretch: 1, maxStretch: 1 });
    },
  );

  it.each([
    { sigma: 0.02, kappa: 0 },
    { sigma: 0.01, kappa: 0.0005 },
  ])(
    'with σ $sigma and κ $kappa, 64 calls on 8 slots take longer per call by 1 + σe + κe² for e calls beyond capacity',
    async (contention) => {
      const plain = await burst(undefined);
      const { sim, makespanMs, meanMs } = await burst(contention);
      const model = modelled(contention);
      const unstretched = modelled(undefined);
      expectNear('last answer', makespanMs, model.makespanMs);
      expectNear('mean answer', meanMs, model.meanMs);
      // Per call, against the same burst without contention: longer by what the model adds
      // (249 ms and 379 ms on the mean), measured as a difference so that the lateness both
      // bursts share cancels out.
      const added = meanMs - plain.meanMs;
      const modelAdded = model.meanMs - unstretched.meanMs;
      const seen = `added ${added.toFixed(1)} ms per call, model ${modelAdded.toFixed(1)} ms`;
      expect(added, seen).toBeGreaterThan(modelAdded * 0.8);
      expect(added, seen).toBeLessThan(modelAdded * 1.25);
      // The 9th call started with 63 open: e = 55, the most any call saw.
      const e = calls - capacity - 1;
      expect(sim.stats().maxStretch).toBeCloseTo(1 + contention.sigma * e + contention.kappa * e * e, 12);
      expect(sim.stats().stretch).toBe(1);
    },
  );

  it('reports the stretch of the calls open now in /stats', async () => {
    const spec = dbSimSpecSchema.parse({
      capacity: 1,
      latency: { dist: 'constant', ms: 400 },
      contention: { sigma: 0.1, kappa: 0.01 },
    });
    const sim = createDbSimulator(spec, { seed: 1 });
    simulators.push(sim);
    const url = await sim.listen();
    const agent = new Agent();
    agents.push(agent);
    const pending = [1, 2, 3].map((id) => request(`${url}/users/${id}`, { dispatcher: agent }));
    await expect.poll(() => sim.stats().queued).toBe(2);
    const stats = await request(`${url}/stats`, { dispatcher: agent });
    // 3 open on 1 slot: e = 2, stretch 1 + 0.1·2 + 0.01·4.
    const body = (await stats.body.json()) as { inService: number; queued: number; stretch: number };
    expect(body).toMatchObject({ inService: 1, queued: 2 });
    expect(body.stretch).toBeCloseTo(1.24, 12);
    await sim.close();
    await Promise.allSettled(pending);
  });
});
