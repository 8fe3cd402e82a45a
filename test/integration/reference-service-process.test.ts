/**
 * The compiled reference service as a child process (dist/reference-service/src/main.js): IPC
 * ready message, graceful drain on SIGTERM, exit codes, and shutdown when the parent goes away.
 * The test script builds first; alone, run `npx tsc -p tsconfig.build.json` before it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, Client, request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigEnv, type ServiceRuntimeInput } from '../../reference-service/src/index.js';
import { isReadyMessage, type ReadyMessage } from '../../protocol/child-protocol.js';
import { entries } from '../../src/shared/paths.js';
import { startFakeDb, type FakeDb } from '../helpers/fake-db.js';

const entry = entries.referenceService();
const children: ChildProcess[] = [];
const dbs: FakeDb[] = [];
const agents: Agent[] = [];
const servers: Server[] = [];

beforeAll(() => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npx tsc -p tsconfig.build.json first`);
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  await Promise.all(dbs.splice(0).map((db) => db.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the IPC ready message; rejects if the child exits first. */
  ready: Promise<ReadyMessage>;
  /** Resolves with the exit code, or 128 + signal number, and when it happened. */
  exited: Promise<{ code: number; at: number }>;
}

const signalNumbers: Record<string, number> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };

function startChild(config: unknown, ipc = true): Child {
  const child = spawn(process.execPath, [entry], {
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [serviceConfigEnv]: typeof config === 'string' ? config : JSON.stringify(config) },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number; at: number }>((resolve) => {
    child.on('exit', (code, signal) =>
      resolve({ code: code ?? 128 + (signalNumbers[signal ?? ''] ?? 0), at: performance.now() }),
    );
  });
  const ready = new Promise<ReadyMessage>((resolve, reject) => {
    child.on('message', (message) => {
      if (isReadyMessage(message)) resolve(message);
    });
    void exited.then(({ code }) => reject(new Error(`service exited with ${code} before ready: ${err}`)));
  });
  ready.catch(() => undefined);
  return { child, stdout: () => out, stderr: () => err, ready, exited };
}

async function startDb(options: Parameters<typeof startFakeDb>[0] = {}): Promise<FakeDb> {
  const db = await startFakeDb(options);
  dbs.push(db);
  return db;
}

function config(db: FakeDb, knobs: ServiceRuntimeInput['knobs'] = {}): ServiceRuntimeInput {
  return { host: '127.0.0.1', port: 0, dbUrl: db.url, knobs: { log: { level: 'silent' }, ...knobs } };
}

async function get(url: string, agent?: Agent): Promise<{ status: number; connection: unknown }> {
  const dispatcher = agent ?? new Agent();
  if (agent === undefined) agents.push(dispatcher);
  const res = await request(url, { dispatcher });
  await res.body.dump();
  return { status: res.statusCode, connection: res.headers.connection };
}

/** What a brand-new connection to `url` gets: a status, or the connection error's code. */
async function probe(url: string): Promise<number | string> {
  const client = new Client(url);
  try {
    const res = await client.request({ method: 'GET', path: '/ready' });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  } finally {
    await client.destroy();
  }
}

describe('reference service process', () => {
  it('reports ready over IPC, then on SIGTERM finishes the in-flight request and exits 0 within drainTimeoutMs', async () => {
    const db = await startDb();
    const drainTimeoutMs = 3000;
    const svc = startChild(config(db, { server: { drainTimeoutMs } }));
    const { url, pid } = await svc.ready;
    expect(pid).toBe(svc.child.pid);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${url}/health`)).status).toBe(200);
    expect((await get(`${url}/ready`)).status).toBe(200);

    db.behaviour.delayMs = 800;
    const slow = get(`${url}/users/1`);
    await expect.poll(() => db.pending()).toBe(1);
    const signalledAt = performance.now();
    svc.child.kill('SIGTERM');

    await expect
      .poll(() => probe(url), { timeout: 2000 })
      .toSatisfy((r) => r === 503 || r === 'ECONNREFUSED');
    expect(await slow).toEqual({ status: 200, connection: 'close' });
    const { code, at } = await svc.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(drainTimeoutMs + 1500);
  });

  it('prints its URL on stdout when started without an IPC channel', async () => {
    const db = await startDb();
    const svc = startChild(config(db), false);
    await expect
      .poll(() => svc.stdout(), { timeout: 5000 })
      .toMatch(/reference service listening on http:\/\//);
    const url = /listening on (\S+)/.exec(svc.stdout())?.[1] as string;
    expect((await get(`${url}/health`)).status).toBe(200);
    svc.child.kill('SIGTERM');
    expect((await svc.exited).code).toBe(0);
  });

  it.each([
    ['a pool of 0 connections', { knobs: { db: { pool: { max: 0 } } } }, /knobs\.db\.pool\.max: .*got 0/],
    ['an unknown knob', { knobs: { cache: { ttl: 5 } } }, /knobs\.cache: .*"ttl"/],
    ['a dbUrl that is not a URL', { dbUrl: 'nowhere' }, /dbUrl: .*got "nowhere"/],
    ['config that is not JSON', '{"dbUrl":', /not valid JSON/],
  ])('exits 2 naming the problem when given %s', async (_what, overrides, expected) => {
    const body = typeof overrides === 'string' ? overrides : { dbUrl: 'http://127.0.0.1:1', ...overrides };
    const svc = startChild(body);
    expect((await svc.exited).code).toBe(2);
    expect(svc.stderr()).toMatch(expected);
    await expect(svc.ready).rejects.toThrow();
  });

  it('exits 1 with the reason on stderr when its port is taken', async () => {
    const db = await startDb();
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const svc = startChild({ ...config(db), port });
    expect((await svc.exited).code).toBe(1);
    expect(svc.stderr()).toContain('EADDRINUSE');
    expect(svc.stderr()).toContain(`could not listen on 127.0.0.1:${port}`);
    expect(svc.stderr()).not.toContain('user store');
  });

  it('exits 1 saying the PostgreSQL store is unreachable, not that it could not listen, when the store is down', async () => {
    // A port nothing listens on: bound, then closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const svc = startChild({
      host: '127.0.0.1',
      port: 0,
      dbUrl: `postgres://lab:s3cret@127.0.0.1:${port}/lab`,
      knobs: { log: { level: 'silent' } },
    });
    expect((await svc.exited).code).toBe(1);
    expect(svc.stderr()).toContain(
      `the user store is unreachable: could not connect to and prepare the PostgreSQL at postgres://lab:***@127.0.0.1:${port}/lab`,
    );
    expect(svc.stderr()).toContain('ECONNREFUSED');
    expect(svc.stderr()).not.toContain('could not listen');
    expect(svc.stderr()).not.toContain('s3cret');
    await expect(svc.ready).rejects.toThrow();
  });

  it('shuts down when its parent disconnects the IPC channel', async () => {
    const db = await startDb();
    const svc = startChild(config(db));
    await svc.ready;
    const disconnectedAt = performance.now();
    svc.child.disconnect();
    const { code, at } = await svc.exited;
    expect(code).toBe(0);
    expect(at - disconnectedAt).toBeLessThan(3000);
  });

  it('shuts down when its parent disconnects before it is ready', async () => {
    const db = await startDb();
    const svc = startChild(config(db));
    svc.child.disconnect();
    const { code } = await svc.exited;
    expect(code).toBe(0);
  });

  it('cuts a drain that outlasts drainTimeoutMs and exits anyway', async () => {
    const db = await startDb({ fault: 'hang' });
    const drainTimeoutMs = 300;
    const svc = startChild(
      config(db, { server: { drainTimeoutMs, requestTimeoutMs: 30_000 }, db: { queryTimeoutMs: 30_000 } }),
    );
    const { url } = await svc.ready;
    const hung = get(`${url}/users/1`).then(
      (r) => r.status,
      () => 'cut',
    );
    await expect.poll(() => db.pending()).toBe(1);
    const signalledAt = performance.now();
    svc.child.kill('SIGTERM');
    const { code, at } = await svc.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeGreaterThanOrEqual(drainTimeoutMs - 10);
    expect(at - signalledAt).toBeLessThan(drainTimeoutMs + 1500);
    expect(await hung).toBe('cut');
  });

  it('exits at once on a second signal during the drain', async () => {
    const db = await startDb({ fault: 'hang' });
    const svc = startChild(
      config(db, {
        server: { drainTimeoutMs: 20_000, requestTimeoutMs: 30_000 },
        db: { queryTimeoutMs: 30_000 },
      }),
    );
    const { url } = await svc.ready;
    void get(`${url}/users/1`).catch(() => undefined);
    await expect.poll(() => db.pending()).toBe(1);
    svc.child.kill('SIGTERM');
    await expect
      .poll(() => probe(url), { timeout: 2000 })
      .toSatisfy((r) => r === 503 || r === 'ECONNREFUSED');
    const secondAt = performance.now();
    svc.child.kill('SIGTERM');
    const { code, at } = await svc.exited;
    expect(code).toBe(143);
    expect(at - secondAt).toBeLessThan(1000);
  });
});
