/**
 * Real result folders for comparison tests: `loadlab run --target` against targets that answer
 * after a fixed delay, repeated, each variant's repeats in `<outDir>/<variant>/run-<i>/`. The
 * variants of one repeat run at the same time, so host noise in that moment hits them alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { startLoadTarget, type LoadTarget } from './load-target.js';

export interface FixedLatencyRunsOptions {
  outDir: string;
  /** Each variant's name (its folder) and its target's answer delay in ms. */
  variants: { name: string; delayMs: number }[];
  repeats: number;
  /** Seconds of load per run (default 2). */
  seconds?: number;
  /** Open-model arrivals per second (default 100). */
  rate?: number;
}

/** Makes the runs; returns each variant's folder of repeats. Targets are closed before it returns. */
export async function makeFixedLatencyRuns(options: FixedLatencyRunsOptions): Promise<Record<string, string>> {
  const scenario = join(options.outDir, 'fixed-latency.yaml');
  await writeFile(
    scenario,
    [
      'name: fixed-latency',
      'load:',
      '  model: open',
      '  phases:',
      `    - { name: main, duration: ${options.seconds ?? 2}s, rate: ${options.rate ?? 100} }`,
      '  requests:',
      '    - { path: / }',
      '',
    ].join('\n'),
  );
  const targets: LoadTarget[] = [];
  try {
    for (const v of options.variants) targets.push(await startLoadTarget({ kind: 'delay', ms: v.delayMs }));
    const folders: Record<string, string> = {};
    for (const v of options.variants) folders[v.name] = join(options.outDir, v.name);
    for (let i = 1; i <= options.repeats; i++) {
      await Promise.all(
        options.variants.map(async (v, k) => {
          const out = join(folders[v.name] as string, `run-${i}`);
          const target = targets[k] as LoadTarget;
          const run = await runCli(['run', scenario, '--target', target.url, '--out', out, '--quiet', '--json']);
          if (run.code !== 0) throw new Error(`loadlab run for ${v.name} exited ${run.code}: ${run.stderr}`);
        }),
      );
    }
    return folders;
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
}
