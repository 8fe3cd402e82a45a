import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDbSimulator,
  dbSimSpecSchema,
  type DbSimSpecInput,
  type DbSimulator,
} from '../../src/deps/index.js';
import { dbConfigEnv, isReadyMessage, type ReadyMessage } from '../../protocol/child-protocol.js';
import { entries } from '../../src/shared/paths.js';

const simulators: DbSimulator[] = [];
const agents: Agent[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

async function startSim(spec: DbSimSpecInput, seed = 1): Promise<{ sim: DbSimulator; url: string }> {
  const sim = createDbSimulator(dbSimSpecSchema.parse(spec), { seed });
  simulators.push(sim);
  return { sim, url: await sim.listen() };
}

function agent(connections?: number): Agent {
  const created = new Agent(connections === undefined ? {} : { connections });
  agents.push(created);
  return created;
}

async function call(
  url: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
  body?: string,
  dispatcher = agent(),
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
  const res = await request(url, {
    method,
    dispatcher,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });
  // 204 has no body to parse.
  const json = res.statusCode === 204 ? (await res.body.dump(), undefined) : await res.body.json();
  return { status: res.statusCode, json, headers: res.headers };
}

describe('simulated database over HTTP', () => {
  it('serves at most `capacity` requests at once; the next waits for a free slot', async () => {
    const latencyMs = 200;
    const capacity = 3;
    const { sim, url } = await startSim({ capacity, latency: { dist: 'constant', ms: latencyMs } });
    const client = agent();
    const t0 = performance.now();
    const done = await Promise.all(
      Array.from({ length: capacity + 1 }, async (_, i) => {
        const res = await call(`${url}/users/${i + 1}`, 'GET', undefined, client);
        expect(res.status).toBe(200);
        return performance.now() - t0;
      }),
    );
    done.sort((a, b) => a - b);
    // Timers may fire ~2 ms early; allow generous lateness on a shared machine.
    for (const ms of done.slice(0, capacity)) expect(ms).toBeGreaterThanOrEqual(latencyMs - 5);
    for (const ms of done.slice(0, capacity)) expect(ms).toBeLessThan(latencyMs * 1.75);
    const last = done[capacity] as number;
    expect(last).toBeGreaterThanOrEqual(2 * latencyMs - 10);
    expect(last).toBeLessThan(latencyMs * 3);
    expect(last / (done[capacity - 1] as number)).toBeGreaterThan(1.5);
    expect(sim.stats()).toEqual({
      served: capacity + 1,
      errors: 0,
      inService: 0,
      queued: 0,
      maxQueued: 1,
      stretch: 1,
      maxStretch: 1,
    });
  });

  it('answers /health and /stats at once, outside the capacity model', async () => {
    const { url } = await startSim({ capacity: 1, latency: { dist: 'constant', ms: 600 } });
    const client = agent();
    const slow = call(`${url}/users/1`, 'GET', undefined, client);
    const queued = call(`${url}/users/2`, 'GET', undefined, client);
    await expect
      .poll(async () => (await call(`${url}/stats`, 'GET', undefined, client)).json)
      .toMatchObject({
        inService: 1,
        queued: 1,
      });
    const t0 = performance.now();
    expect(await call(`${url}/health`, 'GET', undefined, client)).toMatchObject({
      status: 200,
      json: { status: 'ok' },
    });
    expect(performance.now() - t0).toBeLessThan(300);
    await Promise.all([slow, queued]);
  });

  it.each<{
    name: string;
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
    path: string;
    body?: string;
    status: number;
    json: unknown;
  }>([
    {
      name: 'a user past the data set is not found',
      method: 'GET',
      path: '/users/11',
      status: 404,
      json: { error: 'not_found' },
    },
    { name: 'id 0 is not found', method: 'GET', path: '/users/0', status: 404, json: { error: 'not_found' } },
    {
      name: 'a non-numeric id is not found',
      method: 'GET',
      path: '/users/abc',
      status: 404,
      json: { error: 'not_found' },
    },
    {
      name: 'an unknown route is not found',
      method: 'GET',
      path: '/nope',
      status: 404,
      json: { error: 'not_found' },
    },
    {
      name: 'POST creates the user with the next id',
      method: 'POST',
      path: '/users',
      body: '{"name":"ada","email":"ada@example.test"}',
      status: 201,
      json: { id: 11, name: 'ada', email: 'ada@example.test' },
    },
    {
      name: 'PUT replaces',
      method: 'PUT',
      path: '/users/3',
      body: '{"name":"bob"}',
      status: 200,
      json: { id: 3, name: 'bob', email: 'user-3@example.test' },
    },
    {
      name: 'POST without a name is refused',
      method: 'POST',
      path: '/users',
      body: '{"email":"x@y.z"}',
      status: 400,
      json: { error: 'bad_request', message: expect.stringContaining('name') },
    },
    {
      name: 'PUT with a body that is not JSON is refused',
      method: 'PUT',
      path: '/users/3',
      body: '{name',
      status: 400,
      json: { error: 'bad_request', message: expect.stringContaining('expected JSON') },
    },
    {
      name: 'PUT of a user that does not exist is not found',
      method: 'PUT',
      path: '/users/12',
      body: '{"name":"bob"}',
      status: 404,
      json: { error: 'not_found' },
    },
    {
      name: 'DELETE removes the user',
      method: 'DELETE',
      path: '/users/3',
      status: 204,
      json: undefined,
    },
    {
      name: 'DELETE of a user that does not exist is not found',
      method: 'DELETE',
      path: '/users/11',
      status: 404,
      json: { error: 'not_found' },
    },
    {
      name: 'PATCH is not allowed',
      method: 'PATCH',
      path: '/users/3',
      status: 405,
      json: { error: 'method_not_allowed' },
    },
  ])('$name ($method $path → $status)', async ({ method, path, body, status, json }) => {
    const { url } = await startSim({ users: 10, latency: { dist: 'constant', ms: 0 } });
    const res = await call(`${url}${path}`, method, body);
    expect(res.status).toBe(status);
    expect(res.json).toEqual(json);
  });

  it('keeps writes: a created or replaced user is read back, and ids keep counting', async () => {
    const { url } = await startSim({ users: 10, latency: { dist: 'constant', ms: 0 } });
    const seeded = (await call(`${url}/users/4`, 'GET')).json as { name: string };
    expect(seeded.name).toMatch(/^user-4-[0-9a-f]{8}$/);
    expect((await call(`${url}/users`, 'POST', '{"name":"a"}')).json).toMatchObject({ id: 11 });
    expect((await call(`${url}/users/11`, 'DELETE')).status).toBe(204);
    expect((await call(`${url}/users/11`, 'GET')).status).toBe(404);
    expect((await call(`${url}/users`, 'POST', '{"name":"b"}')).json).toMatchObject({ id: 12 });
    await call(`${url}/users/4`, 'PUT', '{"name":"renamed"}');
    expect((await call(`${url}/users/4`, 'GET')).json).toEqual({
      id: 4,
      name: 'renamed',
      email: 'user-4@example.test',
    });
    expect((await call(`${url}/users/12`, 'GET')).json).toMatchObject({ name: 'b' });
    expect((await call(`${url}/users/4`, 'DELETE')).status).toBe(204);
    expect((await call(`${url}/users/4`, 'GET')).status).toBe(404);
  });

  it('answers a create retried with the same Idempotency-Key from memory; another body is 422', async () => {
    const { url } = await startSim({ users: 10, latency: { dist: 'constant', ms: 0 } });
    const key = { 'idempotency-key': 'k-1' };
    const first = await call(`${url}/users`, 'POST', '{"name":"a"}', agent(), key);
    const again = await call(`${url}/users`, 'POST', '{"name":"a"}', agent(), key);
    expect(first).toMatchObject({ status: 201, json: { id: 11, name: 'a' } });
    expect(again).toMatchObject({ status: 200, json: first.json });
    expect(await call(`${url}/users`, 'POST', '{"name":"b"}', agent(), key)).toMatchObject({
      status: 422,
      json: { error: 'idempotency_mismatch' },
    });
    expect((await call(`${url}/users`, 'POST', '{"name":"a"}')).json).toMatchObject({ id: 12 });
  });

  it('derives the data set from the seed', async () => {
    const a = await startSim({ latency: { dist: 'constant', ms: 0 } }, 1);
    const b = await startSim({ latency: { dist: 'constant', ms: 0 } }, 1);
    const c = await startSim({ latency: { dist: 'constant', ms: 0 } }, 2);
    const user = async (url: string) => (await call(`${url}/users/99999`, 'GET')).json;
    expect(await user(a.url)).toEqual(await user(b.url));
    expect(await user(a.url)).not.toEqual(await user(c.url));
  });

  it('fails about errorRatio of the requests with 500 {"error":"injected"}', async () => {
    const { sim, url } = await startSim({
      capacity: 16,
      errorRatio: 0.3,
      latency: { dist: 'constant', ms: 0 },
    });
    const client = agent(32);
    const total = 2000;
    let failed = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          next++;
          const res = await call(`${url}/users/1`, 'GET', undefined, client);
          if (res.status === 500) {
            expect(res.json).toEqual({ error: 'injected' });
            failed++;
          } else {
            expect(res.status).toBe(200);
          }
        }
      }),
    );
    expect(Math.abs(failed / total - 0.3)).toBeLessThanOrEqual(0.04);
    expect(sim.stats()).toMatchObject({ served: total, errors: failed });
  });

  it('drops a queued request whose client disconnected: it is never served', async () => {
    const { sim, url } = await startSim({ capacity: 1, latency: { dist: 'constant', ms: 300 } });
    const first = call(`${url}/users/1`, 'GET');
    await expect.poll(() => sim.stats().inService).toBe(1);

    const abandoned = httpRequest(`${url}/users/2`);
    abandoned.on('error', () => undefined); // the reset we cause below is expected
    abandoned.end();
    await expect.poll(() => sim.stats().queued).toBe(1);
    abandoned.destroy();
    await expect.poll(() => sim.stats().queued).toBe(0);

    expect((await first).status).toBe(200);
    // The slot was freed before the first answer went out; a queued request would hold it now.
    expect(sim.stats()).toEqual({
      served: 1,
      errors: 0,
      inService: 0,
      queued: 0,
      maxQueued: 1,
      stretch: 1,
      maxStretch: 1,
    });
  });

  it('keeps connections alive for 30 s and closes busy ones on close()', async () => {
    const { sim, url } = await startSim({ capacity: 1, latency: { dist: 'constant', ms: 10_000 } });
    const health = await call(`${url}/health`, 'GET');
    expect(health.headers['keep-alive']).toBe('timeout=30');
    const pending = call(`${url}/users/1`, 'GET');
    await expect.poll(() => sim.stats().inService).toBe(1);
    const t0 = performance.now();
    await sim.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('simulated database as a child process', () => {
  const entry = entries.dbSimulator();

  beforeAll(() => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run npx tsc -p tsconfig.build.json first`);
  });

  function start(
    config: unknown,
    ipc = true,
  ): { child: ChildProcess; stderr: () => string; stdout: () => string } {
    const child = spawn(process.execPath, [entry], {
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [dbConfigEnv]: typeof config === 'string' ? config : JSON.stringify(config) },
    });
    children.push(child);
    let err = '';
    let out = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return { child, stderr: () => err, stdout: () => out };
  }

  function ready(child: ChildProcess): Promise<ReadyMessage> {
    return new Promise((resolve, reject) => {
      child.on('message', (message) => {
        if (isReadyMessage(message)) resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
    });
  }

  function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
    }
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  const config = { spec: { users: 50, latency: { dist: 'constant', ms: 1 } }, seed: 3 };

  it('reports its URL over IPC, serves users, and exits 0 on SIGTERM', async () => {
    const { child } = start(config);
    const message = await ready(child);
    expect(message.pid).toBe(child.pid);
    expect(message.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await call(`${message.url}/users/7`, 'GET');
    expect(res).toMatchObject({ status: 200, json: { id: 7, name: expect.stringMatching(/^user-7-/) } });
    expect((await call(`${message.url}/users/51`, 'GET')).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it('exits 0 when its parent disconnects the IPC channel', async () => {
    const { child } = start(config);
    await ready(child);
    child.disconnect();
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it('exits 0 when its parent disconnects before it is ready', async () => {
    const { child, stderr } = start(config);
    child.disconnect();
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(stderr()).not.toContain('ERR_IPC_CHANNEL_CLOSED');
  });

  it('prints its URL when started without IPC, and exits 0 on SIGINT', async () => {
    const { child, stdout } = start(config, false);
    await expect.poll(stdout).toMatch(/^db simulator listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = /(http:\S+)/.exec(stdout())?.[1] as string;
    expect((await call(`${url}/health`, 'GET')).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it.each([
    { name: 'a capacity below 1', config: { spec: { capacity: 0 }, seed: 1 }, field: 'spec.capacity' },
    {
      name: 'an unknown latency dist',
      config: { spec: { latency: { dist: 'gamma' } }, seed: 1 },
      field: 'spec.latency.dist',
    },
    { name: 'an unknown key', config: { spec: {}, seed: 1, colour: 'red' }, field: 'colour' },
    { name: 'text that is not JSON', config: '{spec', field: 'config: expected JSON' },
  ])('exits 2 naming the field on $name', async ({ config: bad, field }) => {
    const { child, stderr } = start(bad);
    expect(await exited(child)).toEqual({ code: 2, signal: null });
    expect(stderr()).toContain(field);
  });

  it('exits 1 when it cannot listen', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const { child, stderr } = start({ ...config, port });
    expect(await exited(child)).toEqual({ code: 1, signal: null });
    expect(stderr()).toContain('EADDRINUSE');
  });
});
