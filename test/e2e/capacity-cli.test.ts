/**
 * `loadlab capacity` through the real CLI against a server of known capacity: 5 requests served
 * at once, 5 ms each, so at most 1,000 requests/s; with a p99 SLO of 10 × 5 ms it must find a rate
 * within 10% below that. A 2 s step sees a queue only once the rate is a little over capacity (the
 * backlog of a rate (1 + e) × C reaches the SLO's 45 ms of queueing after 2 s only when e > 2.25%),
 * so the rate found may sit that far above c / s, and no further.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CapacityDocument, CapacityRankingDocument } from '../../src/analysis/index.js';
import type { ResultDocument } from '../../src/results/index.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startKnownCapacityServer, type KnownCapacityServer } from '../helpers/known-capacity-server.js';

let dir: string;
let server: KnownCapacityServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-capacity-'));
});

afterEach(async () => {
  killStartedClis();
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A scenario of one request; `slo` lines appended under `slo:` when given. */
async function scenario(slo?: string): Promise<string> {
  const file = join(dir, 'known.yaml');
  const lines = [
    'name: known',
    'load:',
    '  model: open',
    // Bounded so an overloaded step does not open thousands of connections; 500 ms bounds the drain.
    '  maxInFlight: 200',
    '  timeout: 500ms',
    '  phases:',
    '    - { duration: 5s, rate: 100 }',
    '  requests:',
    '    - { path: /work }',
  ];
  if (slo !== undefined) lines.push('slo:', slo);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

describe('loadlab capacity', () => {
  it('finds the capacity of a server of known capacity within 10% below it, and the server counted every request sent', async () => {
    server = await startKnownCapacityServer(5, 5);
    const out = join(dir, 'search');
    const run = await runCli([
      'capacity',
      await scenario(),
      '--slo',
      'p99Ms=50',
      '--target',
      server.url,
      '--start-rate',
      '400',
      '--step',
      '2s',
      '--warmup',
      '1s',
      // Bounds the test: ~8 steps of ~2.5 s are expected, a few more if a busy host makes some run twice.
      '--max-steps',
      '14',
      '--out',
      out,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as CapacityDocument;
    expect(JSON.parse(await readFile(join(out, 'capacity.json'), 'utf8'))).toEqual(doc);
    expect(doc.verdict).toBe('capacity');
    expect(doc.slo).toEqual([{ p99Ms: 50, during: 'phase:steady' }]);
    const capacity = doc.capacity as number;
    // On failure, the curve: a host too busy for timing shows as "busy-host" steps.
    const curve = doc.steps
      .map((s) => `${s.rate}/s: p99 ${s.p99Ms} ms ${s.held ? 'held' : 'missed'} (generator ${s.generator})`)
      .join('; ');
    expect(capacity, curve).toBeGreaterThanOrEqual(0.9 * server.capacityRps);
    expect(capacity, curve).toBeLessThanOrEqual(1.0225 * server.capacityRps);
    expect(doc.precision).toBeLessThanOrEqual(0.05);
    expect(doc.knee?.method).toBe('kneedle');
    // Grown ×2 from 400/s, then bisected: every step is on the curve, in its own folder.
    expect(doc.steps.slice(0, 2).map((s) => s.rate)).toEqual([400, 800]);
    expect(doc.steps.every((s) => s.generatorLimit === undefined)).toBe(true);
    const folders = (await readdir(out)).filter((f) => f.startsWith('step-')).sort();
    expect(folders).toHaveLength(doc.steps.length);
    let sent = 0;
    for (const step of doc.steps) {
      const result = JSON.parse(
        await readFile(join(out, step.dir as string, 'result.json'), 'utf8'),
      ) as ResultDocument;
      expect(result.phases.map((p) => p.name)).toEqual(['warmup', 'steady']);
      expect(result.slo.map((c) => c.scope)).toEqual(['phase:steady']);
      sent += result.summary.sent;
    }
    // Every request the steps say they sent reached the server (its other paths are not counted).
    await expect.poll(() => server?.count(), { timeout: 2000 }).toBe(sent);
    // The overlay report: every step a point, linked to that step's own report.
    const html = await readFile(join(out, 'capacity.html'), 'utf8');
    for (const step of doc.steps) expect(html).toContain(`${step.dir as string}/index.html`);
    expect(run.stderr).toMatch(/step 1 \(at most 14\): 400\/s for 2 s \(1 s warm-up\); first step/);
    expect(run.stderr).toMatch(/bisecting: held at/);
  }, 60_000);

  it('sweep --capacity: searches each variant, ranks them by capacity, and never ranks a generator limit', async () => {
    server = await startKnownCapacityServer(5, 5);
    const out = join(dir, 'sweep');
    const run = await runCli([
      'sweep',
      await scenario(),
      '--capacity',
      '--slo',
      'p99Ms=50',
      '--target',
      server.url,
      // Two in flight at 5 ms each cannot send 800/s: that variant's search ends at its generator.
      '--matrix',
      'load.maxInFlight=2,200',
      '--start-rate',
      '800',
      '--precision',
      '25%',
      '--step',
      '1.5s',
      '--warmup',
      '0.5s',
      '--max-steps',
      '6',
      '--out',
      out,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as CapacityRankingDocument;
    expect(JSON.parse(await readFile(join(out, 'sweep-capacity.json'), 'utf8'))).toEqual(doc);
    expect(doc.outcome).toBe('winner');
    const [best, limited] = doc.variants;
    expect(best?.settings).toEqual({ 'load.maxInFlight': 200 });
    expect(doc.winner).toBe(best?.name);
    expect(best?.rank).toBe(1);
    // Bisected from 800/s to within 25% of a true 1,000/s.
    expect(best?.capacity).toBeGreaterThanOrEqual(800);
    expect(best?.capacity).toBeLessThanOrEqual(1.0225 * server.capacityRps);
    expect(limited?.settings).toEqual({ 'load.maxInFlight': 2 });
    expect(limited?.verdict).toBe('generator-limit');
    expect(limited?.rank).toBeUndefined();
    expect(limited?.capacity).toBeNull();
    // Each variant's own search sits in its folder, and the overlay links every step's report.
    const html = await readFile(join(out, 'sweep.html'), 'utf8');
    for (const v of doc.variants) {
      const own = JSON.parse(await readFile(join(out, v.dir, 'capacity.json'), 'utf8')) as CapacityDocument;
      expect(own.verdict).toBe(v.verdict);
      for (const step of own.steps) {
        // Links are percent-encoded per path segment (`=` in a variant's folder name included).
        const href = [v.dir, step.dir as string, 'index.html'].map(encodeURIComponent).join('/');
        expect(html.includes(href), href).toBe(true);
      }
    }
    expect(run.stderr).toMatch(/variant 1 of 2 .*capacity search/);
  }, 60_000);

  it('refuses a scenario with no SLO (exit 2, NO_SLO), and wrong flags all at once, starting nothing', async () => {
    const file = await scenario();
    const refused = await runCli([
      'capacity',
      file,
      '--target',
      'http://127.0.0.1:9',
      '--out',
      join(dir, 'x'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[NO_SLO]');
    expect(refused.stderr).toContain('--slo p99Ms=50');
    const bad = await runCli([
      'capacity',
      file,
      '--slo',
      'p99Ms',
      '--precision',
      '0',
      '--step',
      '1s',
      '--out',
      join(dir, 'y'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--precision: expected a share above 0');
    expect(bad.stderr).toContain('--step: expected at least 1s more than --warmup');
    expect(bad.stderr).toContain('--slo "p99Ms": expected key=value');
    expect((await readdir(dir)).sort()).toEqual(['known.yaml']);
  });
});
