import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild } from '../../src/lab/index.js';
import { isLoadlabError } from '../../src/shared/errors.js';
import { isAlive } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-child-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, body);
  return file;
}

const base = { execPath: process.execPath, env: { ...process.env } };

describe('startChild', () => {
  it('resolves with the URL the child announces over IPC, and stop() ends it by PID', async () => {
    const entry = await script(
      'ready.cjs',
      `process.send({ type: 'ready', url: 'http://127.0.0.1:1', pid: process.pid }); setInterval(() => {}, 1000);`,
    );
    const child = await startChild({ ...base, name: 'ok', entry });
    expect(child.url).toBe('http://127.0.0.1:1');
    expect(isAlive(child.pid)).toBe(true);
    await child.stop(2000);
    expect(child.hasExited).toBe(true);
    expect(isAlive(child.pid)).toBe(false);
  });

  it('fails with CHILD_FAILED and the child’s last log lines when it exits before it is ready', async () => {
    const entry = await script(
      'dies.cjs',
      `console.log('starting up'); console.error('boom: no database'); process.exit(4);`,
    );
    const error = await startChild({ ...base, name: 'db', entry }).catch((e: unknown) => e);
    expect(isLoadlabError(error, 'CHILD_FAILED')).toBe(true);
    const e = error as { message: string; problems: string[]; exitCode: number };
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('exit code 4');
    expect(e.problems).toEqual(['[db out] starting up', '[db err] boom: no database']);
  });

  it('fails with CHILD_FAILED when the child never becomes ready, and kills it', async () => {
    const entry = await script('silent.cjs', `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`);
    const error = (await startChild({ ...base, name: 'slow', entry, readyTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    )) as {
      code: string;
      message: string;
    };
    expect(error.code).toBe('CHILD_FAILED');
    expect(error.message).toContain('not ready within 300 ms');
  });

  it('escalates to SIGKILL when a child ignores SIGTERM', async () => {
    const entry = await script(
      'stubborn.cjs',
      `process.on('SIGTERM', () => {}); process.send({ type: 'ready', url: 'http://127.0.0.1:1', pid: process.pid }); setInterval(() => {}, 1000);`,
    );
    const child = await startChild({ ...base, name: 'stubborn', entry });
    const exit = await child.stop(200);
    expect(exit.signal).toBe('SIGKILL');
    expect(isAlive(child.pid)).toBe(false);
  });
});
