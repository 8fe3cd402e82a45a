import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, startCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-proxy-interrupt-'));
});
afterEach(() => killStartedClis());
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Preloaded into the CLI: every listen() says so on stderr and is held 500 ms, so the test can
// signal while the proxy is still starting (its interrupt handler is in place by then).
const slowListen = `
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  process.stderr.write('test: listen held\\n');
  setTimeout(() => listen.apply(this, args), 500);
  return this;
};
`;

describe('loadlab proxy interrupted while starting', () => {
  it('exits (0 on SIGTERM) instead of waiting for a signal that already came', async () => {
    const preload = join(dir, 'slow-listen.mjs');
    await writeFile(preload, slowListen);
    const run = startCli(['proxy', '--port', '0'], {
      env: { NODE_OPTIONS: `--import ${pathToFileURL(preload).href}` },
    });
    await expect.poll(() => run.stderr(), { timeout: 10_000 }).toContain('test: listen held');
    run.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hung'), 5000)));
    const code = await Promise.race([run.exited, hung]);
    clearTimeout(timer);
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
  }, 20_000);
});
