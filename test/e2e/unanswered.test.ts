/**
 * Requests that are never answered, through the real CLI: a service whose database hangs, and a
 * `--target` that stops answering part-way. Such requests weigh on the latencies at their age and
 * count as errors of kind "unanswered"; no SLO holds over them; every second of the run has its
 * point in `series[]`, the silent ones too; and `sent = responses + transport errors + unanswered`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument, Summary } from '../../src/results/types.js';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { startLoadTarget, type LoadTarget } from '../helpers/load-target.js';

let dir: string;
const targets: LoadTarget[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-unanswered-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  killStartedClis();
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

async function scenarioFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function readResultJson(outDir: string): Promise<ResultDocument> {
  return JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8')) as ResultDocument;
}

const transportKinds = ['timeout', 'reset', 'refused', 'other'];

/** Every request sent was answered, failed without an answer, or is counted unanswered. */
function expectAccountedFor(summary: Summary): void {
  const transport = transportKinds.reduce((n, k) => n + (summary.errors.byKind[k] ?? 0), 0);
  expect(summary.sent).toBe(summary.requests + transport + (summary.unanswered ?? -1));
  expect(summary.inFlightAtStop).toBe(summary.unanswered);
  expect(summary.errors.byKind.unanswered ?? 0).toBe(summary.unanswered);
}

describe.sequential('requests never answered', () => {
  it('a hung database in the quickstart fails the p99 SLO, and every one of the 6 seconds has its point', async () => {
    const quickstart = await readFile(join(import.meta.dirname, '../../scenarios/quickstart.yaml'), 'utf8');
    // The service's own timeouts raised to 60 s, so nothing inside it gives up during the run.
    const hung = quickstart
      .replace(
        'acquireTimeoutMs: 1000 }, queryTimeoutMs: 1000',
        'acquireTimeoutMs: 60000 }, queryTimeoutMs: 60000',
      )
      .replace('requestTimeoutMs: 2000', 'requestTimeoutMs: 60000')
      .concat('\nfaults: [{ at: 1s, on: db, timeout: { timeout: 0 } }]\n');
    expect(hung).toContain('queryTimeoutMs: 60000');
    expect(hung).toContain('requestTimeoutMs: 60000');
    const file = await scenarioFile('hung-db.yaml', hung);
    const out = join(dir, 'out-hung-db');
    const { code, stdout } = await runCli(['run', file, '--duration', '6s', '--out', out, '--quiet']);
    const result = await readResultJson(out);
    const { summary } = result;
    // The connections stuck behind the hung database for the last ~5 s are in the latencies at
    // least at their age (answered late when the fault lifts, or recorded unanswered).
    expect(summary.latencyMs.max).toBeGreaterThanOrEqual(4000);
    expect(result.slo.find((s) => s.name === 'p99Ms')?.held).toBe(false);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✘ p99/);
    expect(result.series.map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5]);
    expectAccountedFor(summary);
  }, 60_000);

  it('an open-model run against a --target that stops answering counts the rest unanswered and fails its SLOs', async () => {
    const target = await startLoadTarget({ kind: 'stops-after', answered: 100, path: '/load' });
    targets.push(target);
    const file = await scenarioFile(
      'stops-open.yaml',
      `
name: stops-open
load:
  model: open
  timeout: 30s
  phases: [{ name: steady, duration: 4s, rate: 100 }]
  requests: [{ path: /load }]
slo: { p99Ms: 1000, errorRate: 0.01 }
`,
    );
    const out = join(dir, 'out-stops-open');
    const { code, stdout } = await runCli(['run', file, '--target', target.url, '--out', out, '--quiet']);
    const result = await readResultJson(out);
    const { summary } = result;
    expect(summary.sent).toBe(400);
    expect(summary.requests).toBe(100);
    expect(summary.unanswered).toBe(300);
    expectAccountedFor(summary);
    // Each unanswered request is in the latencies at its age from its due time: the oldest ~3 s
    // (plus the drain), the youngest at least the drain's 1 s.
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(2500);
    expect(summary.latencyMs.max).toBeLessThan(6000);
    expect(result.slo.map((s) => [s.name, s.held])).toEqual([
      ['p99Ms', false],
      ['errorRate', false],
    ]);
    expect(result.slo.find((s) => s.name === 'errorRate')?.actual).toBeCloseTo(0.75, 5);
    expect(code).toBe(1);
    expect(stdout).toMatch(/unanswered\s+300 never answered/);
    expect(result.series.map((p) => p.t)).toEqual([0, 1, 2, 3]);
    expect(result.series.reduce((n, p) => n + (p.unanswered ?? 0), 0)).toBe(300);
  }, 60_000);

  it('a closed-model run against a --target that stops answering counts one unanswered request per connection, and holds no SLO over the silence', async () => {
    const target = await startLoadTarget({ kind: 'stops-after', answered: 16, path: '/load' });
    targets.push(target);
    const file = await scenarioFile(
      'stops-closed.yaml',
      `
name: stops-closed
load:
  model: closed
  timeout: 30s
  phases: [{ name: steady, duration: 5s, connections: 8 }]
  requests: [{ path: /load }]
slo: { errorRate: 0.5 }
`,
    );
    const out = join(dir, 'out-stops-closed');
    const { code } = await runCli(['run', file, '--target', target.url, '--out', out, '--quiet']);
    const result = await readResultJson(out);
    const { summary } = result;
    // A host busy enough can start the load worker seconds late: few answers, and 5 s to get them.
    expect(summary.requests).toBe(16);
    expect(summary.unanswered).toBe(8);
    expect(summary.sent).toBe(24);
    expectAccountedFor(summary);
    // In the latencies at their age from their send: at least the 1 s the engine waits after the
    // run's end for answers in flight. One request in three: p99 carries it.
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(1000);
    expect(result.series.map((p) => p.t)).toEqual([0, 1, 2, 3, 4]);
    // One request in three failed, under the 0.5 limit; but the target answered nothing for the
    // last seconds while 8 requests waited: a run-wide SLO cannot hold over that.
    const errorRate = result.slo.find((s) => s.name === 'errorRate');
    expect(errorRate?.actual).toBeCloseTo(8 / 24, 5);
    expect(errorRate?.held).toBe(false);
    expect(errorRate?.reason).toMatch(
      /answered nothing for \d s of the load \(t = [^)]+\) while requests waited/,
    );
    expect(code).toBe(1);
  }, 60_000);
});
