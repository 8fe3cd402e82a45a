/**
 * Flows through the real CLI: the worked scenario scenarios/user-journey.yaml against a reference
 * service started with `loadlab serve`, whose own counters must agree with each step's counts
 * (every created id read back, no step sent with an empty variable); and validation of flows,
 * every mistake at once, exit 2.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/results/types.js';
import { parsePromText, sumSamples } from '../../src/telemetry/index.js';
import { killStartedClis, runCli, startCli } from '../helpers/cli.js';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-journeys-'));
});

afterEach(() => killStartedClis());

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.sequential('journeys from the command line', () => {
  it("runs scenarios/user-journey.yaml against `loadlab serve`, and the service's counters agree with every step's", async () => {
    const serve = startCli(['serve', '--set', 'dependencies.db.latency={dist: constant, ms: 1}']);
    await expect.poll(() => serve.stdout(), { timeout: 20_000 }).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n/);
    const url = serve.stdout().trim();
    const out = join(dir, 'out');
    const run = await runCli([
      'run',
      'scenarios/user-journey.yaml',
      '--target',
      url,
      '--duration',
      '1500ms',
      '--set',
      'load.phases[0].rate=30',
      '--set',
      'slo=[{ step: read-back, p99Ms: 60000 }]',
      '--out',
      out,
    ]);
    expect(run.stderr).not.toMatch(/failed|crashed/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/steps\s+step\s+sent\s+answers/);
    expect(run.stdout).toMatch(/step read-back: p99/);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
    const steps = Object.fromEntries((result.steps ?? []).map((s) => [s.name, s]));
    expect(Object.keys(steps)).toEqual(['create', 'read-back', 'get-profile', 'update', 'replay-signup']);
    const create = steps.create!;
    expect(create.requests).toBeGreaterThan(20);
    for (const s of Object.values(steps)) {
      expect(s.errors.total).toBe(0);
      expect(s.sent).toBe(s.requests + s.unanswered);
      for (const c of s.checks) expect(c.failures).toBe(0);
    }
    const [journey] = result.journeys ?? [];
    expect(journey?.failed).toBe(0);
    expect(journey?.started).toBe(create.sent);

    const metrics = parsePromText(await (await fetch(`${url}/metrics`)).text());
    const count = (method: string, route: string, status?: string) =>
      sumSamples(
        metrics,
        'http_requests_total',
        (l) => l.method === method && l.route === route && (status === undefined || l.status === status),
      );
    // Every request of each step reached its route and was answered as it should be, and no step
    // went out with an empty variable (that would be a 400 or 404, or an unmatched route).
    expect(count('POST', '/users', '201')).toBe(create.requests + steps['replay-signup']!.requests);
    expect(count('GET', '/users/:id', '200')).toBe(steps['read-back']!.requests);
    expect(count('GET', '/users/:id/profile', '200')).toBe(steps['get-profile']!.requests);
    expect(count('PUT', '/users/:id', '200')).toBe(steps.update!.requests);
    const refused = metrics.filter(
      (m) => m.name === 'http_requests_total' && (m.labels.status ?? '') >= '400' && m.value > 0,
    );
    // The one 404 is the lab's own check that the target answers (GET / before the load).
    expect(refused.map((m) => [m.labels, m.value])).toEqual([
      [{ method: 'GET', route: 'unmatched', status: '404' }, 1],
    ]);
    // Every created id was read back, but for the journeys the run's end cut short.
    expect(steps['read-back']!.sent + (journey?.unfinished ?? 0)).toBeGreaterThanOrEqual(create.requests);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('names a variable used before any step captures it, a capture path that cannot parse and a module without the named export, at once, with exit 2', async () => {
    await writeFile(join(dir, 'sign.mjs'), 'export function other() {}\n');
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: bad-flows',
        'load:',
        '  model: open',
        '  phases: [{ duration: 2s, rate: 10 }]',
        '  flows:',
        '    - steps:',
        '        - { name: create, method: POST, path: /users, capture: { id: "$.id[" } }',
        "        - { name: read, path: '/users/{{vars.uid}}' }",
        '        - { name: signed, module: ./sign.mjs, export: sign }',
        '',
      ].join('\n'),
    );
    const { code, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('3 problems');
    expect(stderr).toContain(':7: load.flows[0].steps[0].capture.id: cannot parse JSON path "$.id["');
    expect(stderr).toContain(
      ':8: load.flows[0].steps[1].path: variable "uid" is used before any step captures it',
    );
    expect(stderr).toContain(
      ':9: load.flows[0].steps[2].module: ./sign.mjs does not export a function "sign" (its functions: other)',
    );
  });
});
