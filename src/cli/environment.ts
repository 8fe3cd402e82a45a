/** The environment a result records, so a run can be reproduced and compared fairly. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import type { Environment } from '../results/index.js';
import { packageRoot } from '../shared/index.js';

export function loadlabVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .toString()
      .trim();
  } catch {
    // Not a git checkout (an installed package): the commit is simply unknown.
    return undefined;
  }
}

export function collectEnvironment(): Environment {
  const cpus = os.cpus();
  const commit = gitCommit();
  return {
    loadlabVersion: loadlabVersion(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    hostname: os.hostname(),
    ...(commit ? { gitCommit: commit } : {}),
  };
}
