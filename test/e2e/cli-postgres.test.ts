/**
 * `loadlab run` with `dependencies.db: { kind: postgres, embedded: true }`, through the real CLI:
 * the lab starts a throw-away cluster, the service serves from it under load, and Ctrl-C stops
 * everything — no postgres process survives (checked by PID) and the cluster's folder is gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parsePromText, sumSamples } from '../../src/telemetry/index.js';
import { descendantsOf, isAlive, killStartedClis, startCli } from '../helpers/cli.js';
import { hasPostgres } from '../helpers/postgres.js';

const scenario = join(import.meta.dirname, '..', 'fixtures', 'scenarios', 'postgres-embedded.yaml');
const out = mkdtempSync(join(tmpdir(), 'loadlab-cli-pg-'));
afterEach(() => killStartedClis());
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.runIf(hasPostgres())('loadlab run on an embedded PostgreSQL', () => {
  it('serves from the cluster, and on SIGINT leaves no postgres process and no cluster folder', async () => {
    const run = startCli(['run', scenario, '--out', out]);
    await expect.poll(() => run.stderr(), { timeout: 30_000, interval: 100 }).toContain('phase 1: steady');
    // Let some requests reach the database before the interrupt: the service has answered some
    // (with the cache off, each read or write went to the database), by its own count.
    const target = /load → (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr())?.[1];
    expect(target).toBeDefined();
    const answered = async () =>
      sumSamples(
        parsePromText(await (await fetch(`${target}/metrics`)).text()),
        'http_requests_total',
        (l) => l.route?.startsWith('/users') ?? false,
      );
    await expect.poll(answered, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    const processes = descendantsOf(run.child.pid as number);
    const postmaster = processes.find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('loadlab-pg-');
      } catch {
        return false;
      }
    });
    expect(postmaster).toBeDefined();
    const cmdline = readFileSync(`/proc/${postmaster}/cmdline`, 'utf8');
    const dir = /(\/[^\0]*loadlab-pg-[^/\0]+)/.exec(cmdline)?.[1] as string;
    expect(existsSync(dir)).toBe(true);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(processes.filter(isAlive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
      interrupted: boolean;
      summary: { requests: number; errors: { total: number; byKind: Record<string, number> } };
    };
    expect(result.interrupted).toBe(true);
    expect(result.summary.requests).toBeGreaterThan(0);
    // Requests in flight at the interrupt count as unanswered (there is no wait after a stop); no
    // request failed in any other way.
    const { unanswered = 0, ...others } = result.summary.errors.byKind;
    expect(others).toEqual({});
    expect(result.summary.errors.total).toBe(unanswered);
  }, 60_000);
});
